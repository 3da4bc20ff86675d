import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Test helper: writes `files` (relative path -> text) into a fresh temp dir and returns it.
 * `cleanup()` removes every dir made so far (call it from an `after` hook).
 */
const made: string[] = [];

export function tmpInventory(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'chom-inv-'));
  made.push(root);
  for (const [rel, text] of Object.entries(files)) {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return root;
}

export function cleanup(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import type { Inventory } from '../inventory/model.js';
import type { Redactor } from '../secrets/index.js';

/** Who ran it: the login behind sudo when there is one ("root (sudo from alice)"). */
export function whoRan(): string {
  let name = process.env.USER ?? 'unknown';
  try {
    name = userInfo().username;
  } catch {
    /* no passwd entry (containers): keep $USER */
  }
  const via = process.env.SUDO_USER;
  return via && via !== name ? `${name} (sudo from ${via})` : name;
}

export function machineName(): string {
  return hostname();
}

/** The project's git commit; undefined when it is not a repository or git is missing. */
export function gitCommit(dir: string): { commit: string; dirty: boolean } | undefined {
  try {
    const opts = {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'ignore'] as ['ignore', 'pipe', 'ignore'],
      encoding: 'utf8' as const,
      timeout: 5000,
    };
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], opts).trim();
    if (!/^[0-9a-f]{40,64}$/.test(commit)) return undefined;
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], opts).trim() !== '';
    return { commit, dirty };
  } catch {
    return undefined;
  }
}

export function sha256File(path: string): string {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return 'unreadable';
  }
}

export function hashFiles(paths: Iterable<string>): Array<{ path: string; sha256: string }> {
  return [...new Set(paths)].filter((p) => existsSync(p)).map((path) => ({ path, sha256: sha256File(path) }));
}

/** The inventory file and every group_vars/host_vars file it read. */
export function inventoryFiles(inv: Inventory): string[] {
  const out = [inv.file];
  for (const g of inv.groups.values()) out.push(...(g.varsFiles ?? []));
  for (const h of inv.hosts.values()) out.push(...(h.varsFiles ?? []));
  return out;
}

const SECRET_NAME = /pass|secret|token|key|credential|auth/i;

/**
 * The command line as typed, with .env secrets masked and the values of -e variables whose
 * name looks secret (password, token, key...) replaced by ********.
 */
export function redactArgv(argv: readonly string[], redactor: Redactor): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const prev = argv[i - 1];
    let v = a;
    const inline = /^(--extra-vars=|-e)(.+)$/.exec(a);
    if (prev === '-e' || prev === '--extra-vars') v = maskPairs(a);
    else if (inline && !a.startsWith('--extra-vars=') && a.length > 2) v = '-e' + maskPairs(inline[2]);
    else if (a.startsWith('--extra-vars=')) v = '--extra-vars=' + maskPairs(a.slice('--extra-vars='.length));
    out.push(redactor.redact(v));
  }
  return out;
}

function maskPairs(s: string): string {
  if (s.startsWith('@')) return s;
  if (/^\s*[{[]/.test(s)) return SECRET_NAME.test(s) ? '<inline vars with secret-looking names: ********>' : s;
  return s.replace(/([A-Za-z_][A-Za-z0-9_]*)=(\S*)/g, (m, k: string) => (SECRET_NAME.test(k) ? `${k}=********` : m));
}

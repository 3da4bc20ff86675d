import { commentText } from './header.js';

/**
 * Ansible's `block:` with `rescue:` and `always:`, compiled to bash. Every compiled task carries
 * the chain of blocks around it (outermost first, and which section it sits in); the script's
 * main section is rebuilt from that chain, so a plan trimmed by --resume or --start-at-task stays
 * consistent without a second structure to keep in step.
 *
 * Each block becomes one bash function returning 1 when the host must stop:
 *   block tasks in order, stopping at the first failure;
 *   on a failure (and a controller still there) the rescue tasks; a rescue that runs through
 *   clears the failure, as in Ansible;
 *   then the always tasks, whatever happened;
 *   a failure that was not rescued (or a failing always task) stops the host afterwards.
 * A failing task inside a block that has rescue tasks is counted `rescued`, not `failed`
 * (Ansible's recap), which is why the runner is told with `rescue=1`.
 */
export interface ScriptBlockFrame {
  /** Unique per plan (same id = same block instance). */
  id: number;
  section: 'block' | 'rescue' | 'always';
  /** "block NAME (file:line)" for the comment above the function. */
  label: string;
}

interface HasBlocks {
  id: number;
  blocks?: ScriptBlockFrame[];
}

type Node<T> =
  { kind: 'task'; t: T } | { kind: 'block'; id: number; label: string; block: Node<T>[]; rescue: Node<T>[]; always: Node<T>[] };

function tree<T extends HasBlocks>(tasks: readonly T[]): Node<T>[] {
  const top: Node<T>[] = [];
  const insert = (list: Node<T>[], t: T, depth: number): void => {
    const f = t.blocks?.[depth];
    if (!f) {
      list.push({ kind: 'task', t });
      return;
    }
    let last = list.at(-1);
    if (!last || last.kind !== 'block' || last.id !== f.id) {
      last = { kind: 'block', id: f.id, label: f.label, block: [], rescue: [], always: [] };
      list.push(last);
    }
    insert(last[f.section], t, depth + 1);
  };
  for (const t of tasks) insert(top, t, 0);
  return top;
}

/** Ids of tasks whose failure a rescue section handles (counted `rescued`, not `failed`). */
export function rescuedTaskIds(tasks: readonly HasBlocks[]): Set<number> {
  const out = new Set<number>();
  const walk = (nodes: Node<HasBlocks>[], rescued: boolean): void => {
    for (const n of nodes) {
      if (n.kind === 'task') {
        if (rescued) out.add(n.t.id);
        continue;
      }
      walk(n.block, rescued || n.rescue.length > 0);
      walk(n.rescue, rescued);
      walk(n.always, rescued);
    }
  };
  walk(tree(tasks), false);
  return out;
}

/**
 * The task calls of the main section (one line per top-level task or block) and the block
 * functions they call. `call(t, rescued)` is the `chom__run ...` command of one task.
 */
export function mainWithBlocks<T extends HasBlocks>(
  tasks: readonly T[],
  call: (t: T, rescued: boolean) => string,
): { functions: string[]; calls: string[] } {
  const functions: string[] = [];
  const rescued = rescuedTaskIds(tasks);
  const cmd = (n: Node<T>): string => (n.kind === 'task' ? call(n.t, rescued.has(n.t.id)) : `chom_block_${n.id}`);
  const seq = (nodes: Node<T>[], indent: string): string[] =>
    nodes.length === 0 ? [`${indent}:`] : nodes.map((n, i) => `${indent}${cmd(n)}${i < nodes.length - 1 ? ' &&' : ''}`);
  const define = (n: Extract<Node<T>, { kind: 'block' }>): void => {
    for (const c of [...n.block, ...n.rescue, ...n.always]) if (c.kind === 'block') define(c);
    if (!Number.isInteger(n.id) || n.id < 0) throw new Error(`block id must be a non-negative integer, got ${n.id}`);
    const L = [`# ${commentText(n.label)}`, `chom_block_${n.id}() {`, '  local f=0', '  {', ...seq(n.block, '    '), '  } || f=1'];
    if (n.rescue.length > 0) {
      L.push(
        '  if [ "$f" = 1 ] && [ "${CHOM_LOST:-0}" != 1 ]; then',
        '    f=0',
        '    {',
        ...seq(n.rescue, '      '),
        '    } || f=1',
        '  fi',
      );
    }
    if (n.always.length > 0) {
      L.push('  if [ "${CHOM_LOST:-0}" != 1 ]; then', '    {', ...seq(n.always, '      '), '    } || f=1', '  fi');
    }
    L.push('  return "$f"', '}');
    functions.push(L.join('\n'));
  };
  const calls: string[] = [];
  for (const n of tree(tasks)) {
    if (n.kind === 'block') define(n);
    calls.push(cmd(n));
  }
  return { functions, calls };
}

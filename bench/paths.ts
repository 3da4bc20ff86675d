/**
 * The paths the bench playbook manages, read from the loaded playbook (the same loader a run
 * uses), so the state-read floor and the identity check follow the playbook when it changes
 * instead of a hand-kept list.
 */
import { join } from 'node:path';
import { loadPlaybook } from '../src/playbook/index.js';
import type { Task } from '../src/playbook/model.js';

export interface ManagedPaths {
  /** Every path a task inspects on the host: files, directories, links, absent paths, `creates`. */
  stat: string[];
  /** The regular files whose content a task decides (template, copy, lineinfile, blockinfile, replace). */
  hash: string[];
}

/** Which argument names a host path, per module; content modules also hash their file. */
const PATH_ARGS: Record<string, { args: string[]; content: boolean }> = {
  file: { args: ['path', 'dest'], content: false },
  template: { args: ['dest'], content: true },
  copy: { args: ['dest'], content: true },
  lineinfile: { args: ['path', 'dest'], content: true },
  blockinfile: { args: ['path', 'dest'], content: true },
  replace: { args: ['path', 'dest'], content: true },
  command: { args: ['creates', 'removes'], content: false },
  shell: { args: ['creates', 'removes'], content: false },
};

function pathsOf(task: Task, out: { stat: Set<string>; hash: Set<string> }): void {
  const spec = PATH_ARGS[task.module];
  if (!spec) return; // group, user, ...: no path on the host
  for (const name of spec.args) {
    const v = task.args[name];
    if (typeof v !== 'string') continue;
    // The bench reads state with a fixed command line; a templated path would need the planner.
    if (v.includes('{{'))
      throw new Error(
        `bench: ${task.loc.file}:${task.loc.line}: ${task.module} ${name} is templated (${v}); use a literal path in the bench playbook`,
      );
    out.stat.add(v);
    // A copy with a directory dest or a file in state=directory has no single content to hash.
    if (spec.content && !v.endsWith('/')) out.hash.add(v);
  }
}

/** Managed paths of every play (tasks and handlers) of `playbook` in `projectDir`. */
export function managedPaths(projectDir: string, playbook: string): ManagedPaths {
  const pb = loadPlaybook(join(projectDir, playbook), { projectDir });
  const out = { stat: new Set<string>(), hash: new Set<string>() };
  for (const play of pb.plays) for (const t of [...play.tasks, ...play.handlers]) pathsOf(t, out);
  return { stat: [...out.stat], hash: [...out.hash] };
}

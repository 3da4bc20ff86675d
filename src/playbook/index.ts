/** Public API of the playbook loader (see model.ts for the shapes it returns). */
import type { Vars } from '../inventory/model.js';
import { getModule, moduleNames } from '../modules/index.js';
import { validateArgsWith } from './args.js';
import { loadPlaybookWith } from './load.js';
import type { Playbook, Task } from './model.js';
import type { ModuleRegistry } from './registry.js';

export type { Playbook, Play, RoleInstance, Task } from './model.js';
export type { ModuleRegistry } from './registry.js';
export { registryOf } from './registry.js';
export { resolvePlaybookPath } from './resolve.js';
export { selectByTags } from './tags.js';

/** The modules of src/modules/, for loading real playbooks. */
export const builtinModules: ModuleRegistry = { get: getModule, names: moduleNames };

export function loadPlaybook(path: string, opts: { projectDir?: string; modules?: ModuleRegistry } = {}): Playbook {
  return loadPlaybookWith(path, { projectDir: opts.projectDir, modules: opts.modules ?? builtinModules });
}

/**
 * Checks a task's arguments against its module's JSON Schema; throws an InputError at the
 * argument. Before rendering (`rendered` false) a string holding `{{` is accepted for any type.
 * yes/no booleans and numeric strings are normalised in `args` in place.
 */
export function validateArgs(task: Task, args: Vars, rendered: boolean, modules: ModuleRegistry = builtinModules): void {
  validateArgsWith(task, args, rendered, modules);
}

import apt from './apt.js';
import { defineModule } from './spec.js';
import { ModuleArgError } from './types.js';

/**
 * Ansible's generic package module. chom-play's hosts are Debian/Ubuntu (pkg_mgr apt), so it is
 * apt underneath with package's own arguments (name, state, use); apt's behaviour, check-mode
 * prediction and second-run ok come with it.
 */
export default defineModule({
  name: 'package',
  args: {
    name: { type: 'list', required: true, aliases: ['pkg'] },
    state: { type: 'str', default: 'present', choices: ['present', 'absent', 'latest', 'installed', 'removed'] },
    use: { type: 'str', default: 'auto' },
  },
  compile: (p, ctx) => {
    if (p.use !== 'auto' && p.use !== 'apt')
      throw new ModuleArgError(`use: ${p.use} is not available here: hosts are managed with apt (use: auto or apt)`, 'use');
    const state = p.state === 'installed' ? 'present' : p.state === 'removed' ? 'absent' : p.state;
    return apt.compile({ name: p.name, state }, ctx);
  },
});

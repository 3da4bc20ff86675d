import { quote } from '../shell/quote.js';
import { COMMON_ARGS, runBody } from './command.js';
import { defineModule } from './spec.js';
import { ModuleArgError } from './types.js';

/** Like command, but the string runs through a shell (`bash -c CMD`), so shell features work. */
export default defineModule({
  name: 'shell',
  freeForm: 'cmd',
  args: {
    ...COMMON_ARGS,
    /** The shell that runs cmd with `-c` (default bash: pipes, redirections, $VARS all work). */
    executable: { type: 'str', default: 'bash' },
  },
  compile(p) {
    if (p.cmd === undefined || p.cmd.trim() === '') throw new ModuleArgError('no command given: use `shell: some command` or cmd', 'cmd');
    return runBody(`${quote(p.executable)} -c ${quote(p.cmd)}`, p.cmd, p);
  },
});

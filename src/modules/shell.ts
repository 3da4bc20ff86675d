import { quote } from '../shell/quote.js';
import { COMMON_PROPERTIES, runBody } from './command.js';
import { ModuleArgError, type ModuleDef } from './types.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...COMMON_PROPERTIES,
    /** The shell that runs cmd with `-c` (default bash: pipes, redirections, $VARS all work). */
    executable: { type: 'string', minLength: 1 },
  },
};

/** Like command, but the string runs through a shell (`bash -c CMD`), so shell features work. */
function compile(args: Record<string, unknown>): string {
  if (typeof args.cmd !== 'string' || args.cmd.trim() === '') {
    throw new ModuleArgError('no command given: use `shell: some command` or cmd', 'cmd');
  }
  const exe = args.executable === undefined ? 'bash' : String(args.executable);
  return runBody(`${quote(exe)} -c ${quote(args.cmd)}`, args.cmd, args);
}

const shell: ModuleDef = { name: 'shell', schema, freeForm: 'cmd', compile };
export default shell;

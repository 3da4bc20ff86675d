import { quote } from '../shell/quote.js';
import { defineModule } from './spec.js';
import { ModuleArgError, type ModuleDef } from './types.js';

/**
 * Ansible's debug: reports ok with msg, or with `{"VAR": value}` for var (evaluated by the
 * planner from the raw expression, see src/plan/exprs.ts). verbosity is accepted; the message
 * is the task's ok note, shown like every other note.
 */
const mod = defineModule({
  name: 'debug',
  args: { msg: { type: 'raw' }, var: { type: 'str' }, verbosity: { type: 'int', default: 0 } },
  mutuallyExclusive: [['msg', 'var']],
  compile: (p) => {
    let text: string;
    if (p.var !== undefined) text = p.var;
    else if (p.msg === undefined || p.msg === null) text = 'Hello world!';
    else if (typeof p.msg === 'string') text = p.msg;
    else text = JSON.stringify(p.msg);
    if (text.includes('\0')) throw new ModuleArgError('msg cannot contain a NUL byte', 'msg');
    return `chom_ok ${quote(text)}\n`;
  },
});
const debug: ModuleDef = { ...mod, expressions: { var: 'value' } };
export default debug;

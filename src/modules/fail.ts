import { quote } from '../shell/quote.js';
import { defineModule } from './spec.js';

/** Ansible's fail: stops the host with msg (in check mode too, as in Ansible). Guard it with when:. */
export default defineModule({
  name: 'fail',
  args: { msg: { type: 'str', default: 'Failed as requested from task' } },
  compile: (p) => `chom_fail ${quote(p.msg)}\n`,
});

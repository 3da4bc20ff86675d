import { quote } from '../shell/quote.js';
import { defineModule } from './spec.js';

/**
 * Ansible's setup. chom-play gathers every fact before planning, in the host's first round trip
 * (a play with a setup task gathers even with gather_facts: false: see src/facts/plays.ts), so
 * the task itself has nothing left to do on the host: it reports ok. gather_subset, filter and
 * gather_timeout are accepted for compatibility; facts are bash-only (no Python, no ohai/facter).
 */
export default defineModule({
  name: 'setup',
  aliases: ['gather_facts'],
  args: {
    gather_subset: { type: 'list', default: ['all'] },
    filter: { type: 'list', default: [] },
    gather_timeout: { type: 'int', default: 10 },
    fact_path: { type: 'str', default: '/etc/ansible/facts.d' },
  },
  compile: (p) =>
    `chom_ok ${quote(`facts gathered before the run (subset ${p.gather_subset.join(',')}${p.filter.length ? `, filter ${p.filter.join(',')}` : ''})`)}\n`,
});

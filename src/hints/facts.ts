import { InputError, suggest } from '../errors.js';
import { ansibleFacts } from '../facts/ansible.js';
import { CONNECTION_VARS, MAGIC_VARS, UNGATHERED_FACTS } from './ansible-names.js';

/**
 * Hints for an undefined `ansible_*` / `ansible_facts.*` name: which fact it is and what makes it
 * defined, so "variable ansible_distribution is not defined" teaches instead of puzzling.
 */

/** The Ansible-named facts chom-play gathers (without prefix); the builder's keys, not a copy. */
const GATHERED: ReadonlySet<string> = new Set(Object.keys(ansibleFacts({})));
const UNGATHERED: ReadonlySet<string> = new Set(UNGATHERED_FACTS);
const MAGIC: ReadonlySet<string> = new Set(MAGIC_VARS);
const CONNECTION: ReadonlySet<string> = new Set(CONNECTION_VARS);
/** Per-interface facts (ansible_eth0, ansible_ens3 ...) depend on the host: never judged ahead. */
const INTERFACE = /^(lo|eth|en[a-z]|wl|br|bond|veth|docker|virbr|tun|tap|vlan|team|ib)[\w-]*$/;

/** `*` stands for the whole ansible_facts dict. */
const willHave = (name: string): boolean => name === '*' || GATHERED.has(name) || INTERFACE.test(name);

// Both engines' wordings: `variable "ansible_x" is not defined`, `"ansible_x.upper" is not defined:
// cannot call it`, and `"ansible_facts" (dict) has no attribute "x"`.
const UNDEFINED = /"(ansible_facts\.(\w+)|ansible_(\w+))[^"]*"(?: \(\w+\))? is not defined/;
const NO_ATTR = /"ansible_facts"(?: \(\w+\))? has no attribute "(\w+)"/;

/** The fact (unprefixed) an error is about, or undefined when it is not about an ansible_ name. */
function factOf(message: string): { shown: string; name: string } | undefined {
  const attr = NO_ATTR.exec(message);
  if (attr) return { shown: `ansible_facts.${attr[1]}`, name: attr[1] };
  const m = UNDEFINED.exec(message);
  if (!m) return undefined;
  const name = m[2] ?? m[3];
  if (m[3] === 'facts') return { shown: 'ansible_facts', name: '*' };
  if (m[3] !== undefined && (MAGIC.has(`ansible_${name}`) || CONNECTION.has(`ansible_${name}`)))
    return { shown: `ansible_${name}`, name: '' };
  return { shown: m[2] !== undefined ? `ansible_facts.${name}` : `ansible_${name}`, name };
}

/** Up to three gathered fact names close to `name` (spelling first, then a shared start). */
export function closeFacts(name: string): string[] {
  const out: string[] = [];
  const pool = new Set(GATHERED);
  for (let i = 0; i < 3; i++) {
    const s = suggest(name, pool);
    if (!s) break;
    out.push(s);
    pool.delete(s);
  }
  const head = name.slice(0, Math.min(4, name.length));
  for (const g of pool) if (out.length < 3 && head.length >= 3 && g.startsWith(head)) out.push(g);
  return out;
}

/**
 * Whether the undefined name in `err` is a fact the host will supply once gathered (so a
 * no-facts pre-check may pass over it). Names chom-play never gathers are not.
 */
export function gatheredLater(err: unknown): boolean {
  if (!(err instanceof InputError)) return false;
  const f = factOf(err.message);
  if (!f) return /"facts[."\]]/.test(err.message);
  return f.name !== '' && willHave(f.name);
}

/**
 * The same error with what to do about the fact it names; other errors unchanged.
 * `gathers`: whether the play gathers facts (then the name is one chom-play does not have).
 */
export function withFactHint(err: unknown, gathers: boolean): unknown {
  if (!(err instanceof InputError)) return err;
  const f = factOf(err.message);
  if (!f) return err;
  const say = (hint: string): InputError => new InputError(err.message, err.loc, err.hint ? `${hint}; ${err.hint}` : hint);
  if (CONNECTION.has(f.shown))
    return say(
      `${f.shown} is a connection variable: it comes from the inventory (or -e) and is not set here; use ${f.shown} | default(...)`,
    );
  if (f.name === '') return say(`${f.shown} is an Ansible magic variable that chom-play does not set`);
  if (willHave(f.name)) {
    return gathers ? err : say(`${f.shown} is a fact: gather_facts is false in this play (set gather_facts: true, or add a setup task)`);
  }
  if (UNGATHERED.has(f.name)) return say(`${f.shown} is an Ansible fact that chom-play does not gather`);
  const close = closeFacts(f.name);
  const like = close.map((n) => (f.shown.startsWith('ansible_facts.') ? `ansible_facts.${n}` : `ansible_${n}`));
  return say(`${f.shown} is not gathered by chom-play${like.length > 0 ? `: close names: ${like.join(', ')}` : ''}`);
}

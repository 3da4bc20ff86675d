import { BUILTIN_MODULES, COLLECTION_MODULES } from './ansible-names.js';

const BUILTIN: ReadonlySet<string> = new Set(BUILTIN_MODULES);
/** FQCN by full name and by short name (Ansible routes old short names to their collection). */
const BY_NAME = new Map<string, string>();
for (const fq of COLLECTION_MODULES) {
  BY_NAME.set(fq, fq);
  const short = fq.slice(fq.lastIndexOf('.') + 1);
  if (!BUILTIN.has(short) && !BY_NAME.has(short)) BY_NAME.set(short, fq);
}

/** The FQCN of an Ansible module chom-play lacks, when `name` (short or FQCN) is one; else undefined. */
export function ansibleModule(name: string): string | undefined {
  const bare = name.replace(/^ansible\.(builtin|legacy)\./, '');
  if (BUILTIN.has(bare)) return `ansible.builtin.${bare}`;
  return BY_NAME.get(name);
}

/** "ansible.builtin.unarchive exists in Ansible but is not implemented in chom-play yet", or undefined. */
export function notImplementedMessage(name: string): string | undefined {
  const fq = ansibleModule(name);
  return fq && `${fq} exists in Ansible but is not implemented in chom-play yet`;
}

/**
 * Ansible's boolean() (module_utils.parsing.convert_bool), the one parser for every yes/no value
 * chom-play reads: keywords (become, gather_facts, ignore_errors, ...), connection variables
 * (ansible_become, ansible_sudo), module arguments of type bool, CLI values.
 *
 * NOT used for template truthiness (`when: x`, `{% if x %}`): there Jinja2 follows Python's
 * truth rules, where any non-empty string is true (even "no" and "false"). That lives in
 * src/template and stays different on purpose.
 */
const TRUE = new Set(['y', 'yes', 'on', '1', 'true', 't', '1.0']);
const FALSE = new Set(['n', 'no', 'off', '0', 'false', 'f', '0.0', '']);

/** true/false for Ansible's spellings (any case, trimmed), undefined for anything else. */
export function parseBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim().toLowerCase();
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  return undefined;
}

/** parseBool with a default for absent values (undefined/null); unknown spellings also give the default. */
export function boolOr(v: unknown, dflt: boolean): boolean {
  if (v === undefined || v === null) return dflt;
  return parseBool(v) ?? dflt;
}

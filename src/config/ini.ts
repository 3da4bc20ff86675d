/**
 * Python configparser's reading of ansible.cfg: `[section]`, `key = value` or `key: value`,
 * whole-line comments with # or ;, inline comments after " ;" / " #" (Ansible enables
 * inline_comment_prefixes), indented lines continuing the previous value. Keys are lowercase.
 */
export interface CfgEntry {
  value: string;
  line: number;
}
export type CfgSections = Map<string, Map<string, CfgEntry>>;

export function parseCfg(text: string): { sections: CfgSections; errors: { line: number; message: string }[] } {
  const sections: CfgSections = new Map();
  const errors: { line: number; message: string }[] = [];
  let current: Map<string, CfgEntry> | undefined;
  let last: CfgEntry | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (/^\s*[#;]/.test(raw) || raw.trim() === '') {
      if (raw.trim() === '') last = undefined;
      return;
    }
    if (/^\s/.test(raw) && last) {
      last.value += '\n' + stripInline(raw.trim());
      return;
    }
    const sec = /^\[([^\]]+)\]\s*$/.exec(raw.trim());
    if (sec) {
      const name = sec[1].trim();
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      last = undefined;
      return;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw.trim());
    if (!kv) {
      errors.push({ line, message: `not "key = value": ${raw.trim()}` });
      return;
    }
    if (!current) {
      errors.push({ line, message: 'setting before any [section]' });
      return;
    }
    last = { value: stripInline(kv[2]), line };
    current.set(kv[1].trim().toLowerCase(), last);
  });
  return { sections, errors };
}

function stripInline(v: string): string {
  const m = /\s[;#]/.exec(v);
  return (m ? v.slice(0, m.index) : v).trim();
}

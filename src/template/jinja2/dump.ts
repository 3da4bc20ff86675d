import { floatRepr, isDict, PyFloat, Undef, type Dict } from './values.js';

/**
 * Python's json.dumps and PyYAML's dump, as Ansible's to_json/to_nice_json/to_yaml/
 * to_nice_yaml call them, so generated config files match byte for byte.
 */
export interface JsonOpts {
  indent?: number;
  sortKeys: boolean;
  ensureAscii: boolean;
  itemSep: string;
  keySep: string;
}

function jsonStr(s: string, ascii: boolean): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || (ascii && c > 0x7e)) {
      if (c > 0xffff) {
        const hi = Math.floor((c - 0x10000) / 0x400) + 0xd800;
        const lo = ((c - 0x10000) % 0x400) + 0xdc00;
        out += `\\u${hi.toString(16).padStart(4, '0')}\\u${lo.toString(16).padStart(4, '0')}`;
      } else out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}

export function pyJson(v: unknown, o: JsonOpts, level = 0): string {
  if (v === null || v === undefined || v instanceof Undef) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (v instanceof PyFloat) return Number.isFinite(v.v) ? floatRepr(v.v) : v.v > 0 ? 'Infinity' : Number.isNaN(v.v) ? 'NaN' : '-Infinity';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : floatRepr(v);
  if (typeof v === 'string') return jsonStr(v, o.ensureAscii);
  const nl = o.indent === undefined ? '' : `\n${' '.repeat(o.indent * (level + 1))}`;
  const close = o.indent === undefined ? '' : `\n${' '.repeat(o.indent * level)}`;
  const sep = o.indent === undefined ? o.itemSep : o.itemSep.trimEnd();
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[${nl}${v.map((x) => pyJson(x, o, level + 1)).join(sep + nl)}${close}]`;
  }
  if (isDict(v)) {
    let keys = Object.keys(v);
    if (keys.length === 0) return '{}';
    if (o.sortKeys) keys = [...keys].sort();
    return `{${nl}${keys.map((k) => `${jsonStr(k, o.ensureAscii)}${o.keySep}${pyJson((v as Dict)[k], o, level + 1)}`).join(sep + nl)}${close}}`;
  }
  return jsonStr(String(v), o.ensureAscii);
}

const RESOLVES = [
  /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  /^(?:~|null|Null|NULL|)$/,
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  /^(?:<<|=)$/,
];

/** PyYAML's analyze_scalar, reduced to what decides plain vs quoted for ordinary strings. */
function plainAllowed(s: string, flow: boolean): boolean {
  if (s === '' || RESOLVES.some((r) => r.test(s))) return false;
  if (/^[\s]|[\s]$/.test(s) || /[\n\r\x85\u2028\u2029]/.test(s)) return false;
  if (/^[#,[\]{}&*!|>'"%@`]/.test(s)) return false;
  if (/^[-?:](\s|$)/.test(s)) return false;
  if (/: |:$| #/.test(s) || s.includes(':\t')) return false;
  if (flow && /[,?[\]{}]/.test(s)) return false;
  if (flow && /:/.test(s)) return false;
  // Non-printable characters force double quotes in PyYAML; treat them as not plain.
  return !/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(s);
}

/**
 * libyaml's writers (Ansible dumps with the C emitter when PyYAML has it, as on Debian):
 * a single space becomes a line break once the column passes 80.
 */
function folded(words: string, column: number, indent: string): string {
  let out = '';
  let col = column;
  for (let i = 0; i < words.length; i++) {
    const c = words[i];
    if (c === ' ' && words[i - 1] !== ' ' && words[i + 1] !== ' ' && col > 80 && i > 0 && i < words.length - 1) {
      out += `\n${indent}`;
      col = indent.length;
      continue;
    }
    out += c;
    col++;
  }
  return out;
}

function singleQuoted(s: string, column: number, indent: string): string {
  let out = "'";
  let col = column + 1;
  let breaks = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === ' ') {
      if (!breaks && s[i - 1] !== ' ' && col > 80 && i > 0 && i < s.length - 1 && s[i + 1] !== ' ') {
        out += `\n${indent}`;
        col = indent.length;
      } else {
        out += c;
        col++;
      }
    } else if (c === '\n') {
      if (!breaks) out += '\n';
      out += '\n';
      col = 0;
      breaks = true;
    } else {
      if (breaks) {
        out += indent;
        col = indent.length;
        breaks = false;
      }
      out += c === "'" ? "''" : c;
      col += c === "'" ? 2 : 1;
    }
  }
  if (breaks) out += indent;
  return `${out}'`;
}

const DQ_ESC: Record<string, string> = {
  '\0': '0',
  '\x07': 'a',
  '\b': 'b',
  '\t': 't',
  '\n': 'n',
  '\v': 'v',
  '\f': 'f',
  '\r': 'r',
  '\x1b': 'e',
  '"': '"',
  '\\': '\\',
  '\x85': 'N',
  '\xa0': '_',
  '\u2028': 'L',
  '\u2029': 'P',
};

function doubleQuoted(s: string, column: number, indent: string): string {
  let out = '"';
  let col = column + 1;
  let spaces = false;
  const chars = [...s];
  chars.forEach((c, i) => {
    const code = c.codePointAt(0) ?? 0;
    const printable = (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code !== 0xfeff && !(code >= 0xd800 && code < 0xe000));
    if (!printable || c === '"' || c === '\\' || c === '\n' || c === '\r' || code === 0x85 || code === 0x2028 || code === 0x2029) {
      const e = Object.hasOwn(DQ_ESC, c)
        ? `\\${DQ_ESC[c]}`
        : code <= 0xff
          ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`
          : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
      out += e;
      col += e.length;
      spaces = false;
    } else if (c === ' ') {
      if (!spaces && col > 80 && i > 0 && i < chars.length - 1) {
        out += `\n${indent}`;
        col = indent.length;
        if (chars[i + 1] === ' ') {
          out += '\\';
          col++;
        }
      } else {
        out += c;
        col++;
      }
      spaces = true;
    } else {
      out += c;
      col++;
      spaces = false;
    }
  });
  return `${out}"`;
}

function quotedScalar(s: string, column: number, indent: string): string {
  const special = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff]/.test(s);
  const spaceBreak = / \n/.test(s);
  const breakSpace = /\n /.test(s);
  if (special || spaceBreak || breakSpace) return doubleQuoted(s, column, indent);
  return singleQuoted(s, column, indent);
}

function scalar(v: unknown, flow: boolean, column: number, indent: string): string {
  if (v === null || v === undefined || v instanceof Undef) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (v instanceof PyFloat || (typeof v === 'number' && !Number.isInteger(v))) {
    const n = v instanceof PyFloat ? v.v : v;
    return Number.isNaN(n) ? '.nan' : !Number.isFinite(n) ? (n > 0 ? '.inf' : '-.inf') : floatRepr(n);
  }
  if (typeof v === 'number') return String(v);
  const s = String(v);
  if (plainAllowed(s, flow)) return folded(s, column, indent);
  return quotedScalar(s, column, indent);
}

function isLeaf(v: unknown): boolean {
  if (Array.isArray(v)) return v.every((x) => !Array.isArray(x) && !isDict(x));
  if (isDict(v)) return Object.values(v).every((x) => !Array.isArray(x) && !isDict(x));
  return true;
}

let sortKeys = true;
const keysOf = (d: Dict): string[] => (sortKeys ? Object.keys(d).sort() : Object.keys(d));

function flowDump(v: unknown, column: number, indent: string): string {
  if (Array.isArray(v)) return `[${v.map((x) => flowDump(x, column, indent)).join(', ')}]`;
  if (isDict(v))
    return `{${keysOf(v)
      .map((k) => `${scalar(k, true, column, indent)}: ${flowDump(v[k], column, indent)}`)
      .join(', ')}}`;
  return scalar(v, true, column, indent);
}

/** yaml.dump(v, indent=ind, default_flow_style=flowLeaves ? None : False, sort_keys=True). */
export function pyYaml(v: unknown, ind: number, flowLeaves: boolean, sort = true): string {
  sortKeys = sort;
  const lines: string[] = [];
  const emit = (x: unknown, level: number, prefix: string): void => {
    const pad = ' '.repeat(level);
    if (
      (Array.isArray(x) || isDict(x)) &&
      ((flowLeaves && isLeaf(x)) || (Array.isArray(x) ? x.length === 0 : Object.keys(x).length === 0))
    ) {
      lines.push(prefix + flowDump(x, prefix.length, pad));
      return;
    }
    if (Array.isArray(x)) {
      x.forEach((item, i) => {
        const lead = i === 0 ? prefix : pad;
        // PyYAML: "- 3" for a scalar, "-   a: 1" (dash padded to the indent) for a collection.
        if ((Array.isArray(item) && item.length) || (isDict(item) && Object.keys(item).length))
          emit(item, level + ind, `${lead}-${' '.repeat(Math.max(1, ind - 1))}`);
        else
          lines.push(
            `${lead}- ${Array.isArray(item) || isDict(item) ? flowDump(item, lead.length + 2, pad) : scalar(item, false, lead.length + 2, ' '.repeat(level + ind))}`,
          );
      });
      return;
    }
    if (isDict(x)) {
      keysOf(x).forEach((k, i) => {
        const head = `${i === 0 ? prefix : pad}${scalar(k, false, pad.length, pad)}:`;
        const val = x[k];
        if (Array.isArray(val) && val.length && !(flowLeaves && isLeaf(val))) {
          lines.push(head);
          emit(val, level, pad);
        } else if (isDict(val) && Object.keys(val).length && !(flowLeaves && isLeaf(val))) {
          lines.push(head);
          emit(val, level + ind, ' '.repeat(level + ind));
        } else if (Array.isArray(val) || isDict(val)) lines.push(`${head} ${flowDump(val, head.length + 1, ' '.repeat(level + ind))}`);
        else lines.push(`${head} ${scalar(val, false, head.length + 1, ' '.repeat(level + ind))}`);
      });
      return;
    }
    const s = scalar(x, false, prefix.length, pad);
    lines.push(prefix + s);
  };
  emit(v, 0, '');
  const out = `${lines.join('\n')}\n`;
  // A top-level plain scalar gets PyYAML's document end marker.
  if (!Array.isArray(v) && !isDict(v)) return `${out}...\n`;
  return out;
}

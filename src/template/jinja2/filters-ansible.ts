import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { pyJson, pyYaml } from './dump.js';
import { attrGetter, splitLines } from './filters.js';
import { pySplit } from './methods.js';
import { FILTERS, type FilterFn } from './registry.js';
import { pyRegex, pyReplacement } from './regex.js';
import { tuple, isDict, iter, J2Error, need, num, pyEq, PyFloat, pyStr, str, truthy, typeName, Undef, type Dict } from './values.js';

/** Ansible's own filters (ansible.builtin.*), same names, arguments and outputs. */
function arg(args: unknown[], kw: Dict, i: number, name: string, dflt: unknown): unknown {
  if (Object.hasOwn(kw, name)) return kw[name];
  return i < args.length ? args[i] : dflt;
}

function toBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === null || v === undefined) return false;
  const s = pyStr(v).toLowerCase();
  return ['yes', 'on', '1', 'true', '1.0'].includes(s);
}

function uniqStrict(items: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const x of items) if (!out.some((y) => pyEq(x, y))) out.push(x);
  return out;
}

function mergeDicts(a: Dict, b: Dict, recursive: boolean, listMerge: string): Dict {
  const out: Dict = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    if (recursive && isDict(cur) && isDict(v)) out[k] = mergeDicts(cur, v, true, listMerge);
    else if (Array.isArray(cur) && Array.isArray(v) && listMerge !== 'replace') {
      if (listMerge === 'append') out[k] = [...cur, ...v];
      else if (listMerge === 'prepend') out[k] = [...v, ...cur];
      else if (listMerge === 'append_rp') out[k] = [...cur.filter((x) => !v.some((y) => pyEq(x, y))), ...v];
      else if (listMerge === 'prepend_rp') out[k] = [...v, ...cur.filter((x) => !v.some((y) => pyEq(x, y)))];
      else out[k] = v;
    } else out[k] = v;
  }
  return out;
}

function flatten(items: unknown[], levels: number | null, skipNulls: boolean): unknown[] {
  const out: unknown[] = [];
  for (const x of items) {
    if (skipNulls && (x === null || x === 'None' || x === 'null')) continue;
    if (Array.isArray(x)) {
      if (levels === null) out.push(...flatten(x, null, skipNulls));
      else if (levels >= 1) out.push(...flatten(x, levels - 1, skipNulls));
      else out.push(x);
    } else out.push(x);
  }
  return out;
}

/** The `comment` filter, line for line as ansible/plugins/filter/core.py. */
export function comment(text: string, style: string, kw: Dict): string {
  const styles: Record<string, Record<string, string>> = {
    plain: { decoration: '# ' },
    erlang: { decoration: '% ' },
    c: { decoration: '// ' },
    cblock: { beginning: '/*', decoration: ' * ', end: ' */' },
    xml: { beginning: '<!--', decoration: ' - ', end: '-->' },
  };
  const sp = styles[style];
  if (!sp) throw new J2Error(`comment: unknown style "${style}" (plain, erlang, c, cblock, xml)`, -1);
  const pre = typeof kw.decoration === 'string' ? kw.decoration : sp.decoration;
  const p: Dict = {
    newline: '\n',
    beginning: '',
    prefix: pre.trimEnd(),
    prefix_count: 1,
    decoration: '',
    postfix: pre.trimEnd(),
    postfix_count: 1,
    end: '',
    ...sp,
    ...kw,
  };
  const nl = pyStr(p.newline);
  const dec = pyStr(p.decoration);
  const beginning = p.beginning ? `${pyStr(p.beginning)}${nl}` : '';
  let prefix = '';
  if (p.prefix) prefix = (p.prefix !== nl ? `${pyStr(p.prefix)}${nl}` : nl).repeat(Number(p.prefix_count));
  const body = (dec + text.split(nl).join(nl + dec)).split(dec + nl).join(dec.trimEnd() + nl);
  const postfix = ['', ...Array.from({ length: Number(p.postfix_count) }, () => pyStr(p.postfix))].join(nl);
  const end = p.end ? `${nl}${pyStr(p.end)}` : '';
  return beginning + prefix + body + postfix + end;
}

function pathBase(s: string): string {
  return s.slice(s.lastIndexOf('/') + 1);
}
function pathDir(s: string): string {
  const i = s.lastIndexOf('/');
  if (i < 0) return '';
  const head = s.slice(0, i + 1);
  return /^\/+$/.test(head) ? head : head.replace(/\/+$/, '');
}

const ansible: Record<string, FilterFn> = {
  b64decode: (v) => Buffer.from(pyStr(v), 'base64').toString('utf8'),
  b64encode: (v) => Buffer.from(pyStr(v), 'utf8').toString('base64'),
  basename: (v) => pathBase(pyStr(v)),
  dirname: (v) => pathDir(pyStr(v)),
  splitext: (v) => {
    const s = pyStr(v);
    const m = /^(.*[^/.][^/]*?)(\.[^./]*)$/.exec(s);
    return tuple(m && !pathBase(s).startsWith('.') ? [m[1], m[2]] : m && pathBase(s).lastIndexOf('.') > 0 ? [m[1], m[2]] : [s, '']);
  },
  path_join: (v, _a, _k, pos) => {
    const parts = Array.isArray(v) ? v.map((x) => str(x, pos)) : [str(v, pos)];
    return parts.reduce((acc, p) => (p.startsWith('/') ? p : acc === '' || acc.endsWith('/') ? acc + p : `${acc}/${p}`), '');
  },
  bool: (v) => toBool(v),
  checksum: (v) => createHash('sha1').update(pyStr(v)).digest('hex'),
  sha1: (v) => createHash('sha1').update(pyStr(v)).digest('hex'),
  md5: (v) => createHash('md5').update(pyStr(v)).digest('hex'),
  hash: (v, a) =>
    createHash(a[0] === undefined ? 'sha1' : pyStr(a[0]))
      .update(pyStr(v))
      .digest('hex'),
  combine: (v, a, kw, pos) => {
    const dicts = [v, ...a].flatMap((d) => (Array.isArray(d) ? d : [d]));
    const recursive = truthy(kw.recursive ?? false, pos);
    const listMerge = pyStr(kw.list_merge ?? 'replace');
    return dicts.reduce((acc: Dict, d) => {
      if (!isDict(d)) throw new J2Error(`combine needs dictionaries, got ${typeName(d)}`, pos);
      return mergeDicts(acc, d, recursive, listMerge);
    }, {});
  },
  comment: (v, a, kw) => comment(pyStr(v), a[0] === undefined ? 'plain' : pyStr(a[0]), kw),
  dict2items: (v, a, kw, pos) => {
    if (!isDict(v)) throw new J2Error(`dict2items requires a dictionary, got ${typeName(v)} instead.`, pos);
    const kn = pyStr(arg(a, kw, 0, 'key_name', 'key'));
    const vn = pyStr(arg(a, kw, 1, 'value_name', 'value'));
    return Object.entries(v).map(([k, x]) => ({ [kn]: k, [vn]: x }));
  },
  items2dict: (v, a, kw, pos) => {
    const kn = pyStr(arg(a, kw, 0, 'key_name', 'key'));
    const vn = pyStr(arg(a, kw, 1, 'value_name', 'value'));
    const out: Dict = {};
    for (const it of iter(v, pos)) {
      if (!isDict(it)) throw new J2Error('items2dict requires a list of dictionaries', pos);
      out[pyStr(it[kn])] = it[vn];
    }
    return out;
  },
  difference: (v, a, _k, pos) => uniqStrict(iter(v, pos).filter((x) => !iter(a[0], pos).some((y) => pyEq(x, y)))),
  intersect: (v, a, _k, pos) => uniqStrict(iter(v, pos).filter((x) => iter(a[0], pos).some((y) => pyEq(x, y)))),
  union: (v, a, _k, pos) => uniqStrict([...iter(v, pos), ...iter(a[0], pos)]),
  symmetric_difference: (v, a, _k, pos) => {
    const x = iter(v, pos);
    const y = iter(a[0], pos);
    const both = uniqStrict(x.filter((e) => y.some((f) => pyEq(e, f))));
    return uniqStrict([...x, ...y]).filter((e) => !both.some((f) => pyEq(e, f)));
  },
  extract: (v, a, _k, pos) => {
    const c = need(a[0], pos);
    const key = pyStr(v);
    let r: unknown = Array.isArray(c) && typeof v === 'number' ? c[v] : isDict(c) && Object.hasOwn(c, key) ? c[key] : new Undef(key, pos);
    if (a[1] !== undefined) for (const k of Array.isArray(a[1]) ? a[1] : [a[1]]) r = attrGetter(k, pos)(r);
    return r;
  },
  flatten: (v, a, kw, pos) => {
    const levels = arg(a, kw, 0, 'levels', null);
    return flatten(iter(v, pos), levels === null ? null : num(levels, pos), truthy(arg(a, kw, 1, 'skip_nulls', true), pos));
  },
  from_json: (v, _a, _k, pos) => {
    try {
      return JSON.parse(str(v, pos)) as unknown;
    } catch (e) {
      throw new J2Error(`from_json: ${(e as Error).message}`, pos);
    }
  },
  from_yaml: (v) => (typeof v === 'string' ? (parseYaml(v) as unknown) : v),
  mandatory: (v, a, _k, pos) => {
    if (v instanceof Undef)
      throw new J2Error(a[0] !== undefined ? pyStr(a[0]) : `Mandatory variable "${v.name}" not defined.`, v.pos >= 0 ? v.pos : pos);
    return v;
  },
  quote: (v) => {
    const s = v === null ? '' : pyStr(v);
    if (s === '') return "''";
    return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'"'"'`)}'`;
  },
  regex_escape: (v) => pyStr(v).replace(/[^A-Za-z0-9_]/g, (c) => (c.charCodeAt(0) > 127 ? c : `\\${c}`)),
  regex_findall: (v, a, kw, pos) => {
    const re = pyRegex(str(a[0], pos), 'g', truthy(kw.multiline ?? a[1] ?? false, pos), truthy(kw.ignorecase ?? a[2] ?? false, pos), pos);
    const out: unknown[] = [];
    for (const m of pyStr(v).matchAll(re)) out.push(m.length <= 1 ? m[0] : m.length === 2 ? (m[1] ?? '') : m.slice(1).map((g) => g ?? ''));
    return out;
  },
  regex_replace: (v, a, kw, pos) => {
    const re = pyRegex(
      pyStr(arg(a, kw, 0, 'pattern', '')),
      'g',
      truthy(arg(a, kw, 3, 'multiline', false), pos),
      truthy(arg(a, kw, 2, 'ignorecase', false), pos),
      pos,
    );
    return pyStr(v).replace(re, pyReplacement(pyStr(arg(a, kw, 1, 'replacement', ''))));
  },
  regex_search: (v, a, kw, pos) => {
    const re = pyRegex(str(a[0], pos), '', truthy(kw.multiline ?? false, pos), truthy(kw.ignorecase ?? false, pos), pos);
    const m = re.exec(pyStr(v));
    if (!m) return null;
    const groups = a.slice(1);
    if (groups.length === 0) return m[0];
    return groups.map((g) => {
      const s = str(g, pos);
      const named = /^\\g<(\S+)>$/.exec(s);
      if (named) return /^\d+$/.test(named[1]) ? (m[Number(named[1])] ?? null) : (m.groups?.[named[1]] ?? null);
      const n = /^\\(\d+)$/.exec(s);
      if (!n) throw new J2Error('regex_search: Unknown argument', pos);
      return m[Number(n[1])] ?? null;
    });
  },
  split: (v, a, _k, pos) =>
    pySplit(pyStr(v), a[0] === undefined || a[0] === null ? undefined : str(a[0], pos), a[1] === undefined ? -1 : num(a[1], pos)),
  subelements: (v, a, kw, pos) => {
    const skip = truthy(arg(a, kw, 1, 'skip_missing', false), pos);
    const key = str(a[0], pos);
    const out: unknown[] = [];
    for (const item of isDict(v) ? Object.values(v) : iter(v, pos)) {
      const sub = isDict(item) ? item[key] : undefined;
      if (sub === undefined) {
        if (skip) continue;
        throw new J2Error(`could not find '${key}' key in iterated item`, pos);
      }
      for (const s of iter(sub, pos)) out.push(tuple([item, s]));
    }
    return out;
  },
  ternary: (v, a) => (v === null && a[2] !== undefined && a[2] !== null ? a[2] : truthy(v, -1) ? a[0] : a[1]),
  to_json: (v, _a, kw, pos) =>
    pyJson(v, {
      indent: kw.indent === undefined ? undefined : num(kw.indent, pos),
      sortKeys: truthy(kw.sort_keys ?? false, pos),
      ensureAscii: truthy(kw.ensure_ascii ?? true, pos),
      itemSep: ', ',
      keySep: ': ',
    }),
  to_nice_json: (v, a, kw, pos) =>
    pyJson(v, {
      indent: num(arg(a, kw, 0, 'indent', 4), pos),
      sortKeys: truthy(arg(a, kw, 1, 'sort_keys', true), pos),
      ensureAscii: truthy(kw.ensure_ascii ?? true, pos),
      itemSep: ',',
      keySep: ': ',
    }),
  tojson: (v, a, kw, pos) =>
    pyJson(v, {
      indent: (a[0] ?? kw.indent) ? num(a[0] ?? kw.indent, pos) : undefined,
      sortKeys: true,
      ensureAscii: true,
      itemSep: ', ',
      keySep: ': ',
    }).replace(/[<>&']/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`),
  to_yaml: (v, _a, kw, pos) =>
    pyYaml(
      v,
      kw.indent === undefined ? 2 : num(kw.indent, pos),
      kw.default_flow_style === undefined || kw.default_flow_style === null,
      truthy(kw.sort_keys ?? true, pos),
    ),
  to_nice_yaml: (v, a, kw, pos) => pyYaml(v, num(arg(a, kw, 0, 'indent', 4), pos), false, truthy(kw.sort_keys ?? true, pos)),
  // Strings print as "str"; Ansible says AnsibleUnicode for a string read from YAML.
  type_debug: (v) => typeName(v),
  zip: (v, a, _k, pos) => {
    const lists = [iter(v, pos), ...a.map((x) => iter(x, pos))];
    const n = Math.min(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_x, i) => tuple(lists.map((l) => l[i])));
  },
  zip_longest: (v, a, kw, pos) => {
    const lists = [iter(v, pos), ...a.map((x) => iter(x, pos))];
    const n = Math.max(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_x, i) => tuple(lists.map((l) => (i < l.length ? l[i] : (kw.fillvalue ?? null)))));
  },
  product: (v, a, _k, pos) =>
    [iter(v, pos), ...a.map((x) => iter(x, pos))]
      .reduce<unknown[][]>((acc, l) => acc.flatMap((p) => l.map((x) => [...p, x])), [[]])
      .map((p) => tuple(p)),
  log: (v, a, _k, pos) => new PyFloat(a[0] === undefined ? Math.log(num(v, pos)) : Math.log(num(v, pos)) / Math.log(num(a[0], pos))),
  pow: (v, a, _k, pos) => new PyFloat(num(v, pos) ** num(a[0], pos)),
  root: (v, a, _k, pos) => new PyFloat(a[0] === undefined ? Math.sqrt(num(v, pos)) : num(v, pos) ** (1 / num(a[0], pos))),
  expanduser: (v) => pyStr(v).replace(/^~(?=\/|$)/, process.env.HOME ?? '~'),
  to_uuid: (v, a) => uuid5(a[0] === undefined ? '361E6D51-FAEC-444A-9079-341386DA8E2E' : pyStr(a[0]), pyStr(v)),
  lines: (v) => splitLines(pyStr(v)),
  urlsplit: (v, a, _k, pos) => {
    const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(pyStr(v));
    if (!m) throw new J2Error('urlsplit: not a URL', pos);
    const netloc = m[2] ?? '';
    const at = netloc.lastIndexOf('@');
    const creds = at >= 0 ? netloc.slice(0, at) : '';
    const hostport = at >= 0 ? netloc.slice(at + 1) : netloc;
    const hp = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostport);
    const host = hp?.[1] ? hp[1].replace(/^\[|\]$/g, '').toLowerCase() : null;
    const parts: Dict = {
      fragment: m[5] ?? '',
      hostname: host,
      netloc,
      password: creds.includes(':') ? creds.slice(creds.indexOf(':') + 1) : null,
      path: m[3],
      port: hp?.[2] ? Number(hp[2]) : null,
      query: m[4] ?? '',
      scheme: (m[1] ?? '').toLowerCase(),
      username: at >= 0 ? creds.split(':')[0] : null,
    };
    if (a[0] === undefined || a[0] === '') return parts;
    const q = pyStr(a[0]);
    if (!Object.hasOwn(parts, q)) throw new J2Error(`urlsplit: unknown URL component: ${q}`, pos);
    return parts[q];
  },
};

function uuid5(ns: string, name: string): string {
  const nsBytes = Buffer.from(ns.replace(/-/g, ''), 'hex');
  const h = createHash('sha1')
    .update(Buffer.concat([nsBytes, Buffer.from(name, 'utf8')]))
    .digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

delete ansible.lines;
Object.assign(FILTERS, ansible);

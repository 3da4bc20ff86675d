/**
 * Ansible's string forms of module arguments: `apt: name=foo state=present` and free-form
 * commands with embedded options (`command: make install chdir=/src creates=/usr/bin/x`).
 */

interface Token {
  raw: string;
  start: number;
  end: number;
}

/** Splits on whitespace outside quotes and `{{ }}`, keeping each token's raw text and position. */
function tokens(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i])) i++;
    if (i >= s.length) break;
    const start = i;
    let quote: string | null = null;
    let jinja = 0; // `{{ x }}` holds spaces but is one value, as in Ansible's splitter
    while (i < s.length && (quote !== null || jinja > 0 || !/\s/.test(s[i]))) {
      const c = s[i];
      if (c === '{' && s[i + 1] === '{') {
        jinja++;
        i++;
      } else if (c === '}' && s[i + 1] === '}' && jinja > 0) {
        jinja--;
        i++;
      } else if (c === '\\' && quote !== "'" && i + 1 < s.length) i++;
      else if (quote === null && (c === '"' || c === "'")) quote = c;
      else if (c === quote) quote = null;
      i++;
    }
    out.push({ raw: s.slice(start, i), start, end: i });
  }
  return out;
}

/** A value wholly in matching quotes loses them (`"a b"` -> `a b`, `\"` -> `"`); anything else stays as written. */
function unquote(v: string): string {
  const q = v[0];
  if (v.length < 2 || (q !== '"' && q !== "'") || v[v.length - 1] !== q) return v;
  const inner = v.slice(1, -1);
  return q === '"' ? inner.replace(/\\(["\\])/g, '$1') : inner;
}

const KV = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/;

/** `name=foo state=present` -> {name: 'foo', state: 'present'}; returns the first bad token on failure. */
export function parseKeyValues(s: string): { args: Record<string, string> } | { bad: string } {
  const args: Record<string, string> = {};
  for (const t of tokens(s)) {
    const m = KV.exec(t.raw);
    if (!m) return { bad: t.raw };
    args[m[1]] = unquote(m[2]);
  }
  return { args };
}

/**
 * A free-form string with options mixed in: tokens `key=value` whose key is one of `known`
 * are taken out (as Ansible does for command/shell), the rest of the text is kept byte for
 * byte (newlines of a multi-line shell script included).
 */
export function splitFreeForm(s: string, known: ReadonlySet<string>): { rest: string; args: Record<string, string> } {
  const args: Record<string, string> = {};
  let rest = s;
  const found = tokens(s).filter((t) => {
    const m = KV.exec(t.raw);
    return m !== null && known.has(m[1]);
  });
  if (found.length === 0) return { rest: s, args };
  // Cut from the end so earlier positions stay valid; take the whitespace before each token too.
  for (const t of found.reverse()) {
    const m = KV.exec(t.raw) as RegExpExecArray;
    args[m[1]] ??= unquote(m[2]);
    let start = t.start;
    while (start > 0 && (rest[start - 1] === ' ' || rest[start - 1] === '\t')) start--;
    rest = rest.slice(0, start) + rest.slice(t.end);
  }
  return { rest: rest.trim(), args };
}

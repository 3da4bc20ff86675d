/**
 * Tokens of `when:` expressions (a small subset of Jinja). Positions are character offsets
 * into the original text, for the caret in error messages.
 */
export type Token =
  | { k: 'num'; v: number; pos: number; end: number }
  | { k: 'str'; v: string; pos: number; end: number }
  | { k: 'id'; v: string; pos: number; end: number }
  | { k: 'op'; v: string; pos: number; end: number }
  | { k: 'eof'; v: ''; pos: number; end: number };

export class ExprError extends Error {
  constructor(
    message: string,
    readonly pos: number,
    readonly end = pos + 1,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ExprError';
  }
}

const OPS = ['==', '!=', '<=', '>=', '<', '>', '(', ')', '[', ']', ',', '.', '|'];
/** Operators from other languages, with what to write instead. */
const FOREIGN: Record<string, string> = {
  '&&': 'and',
  '||': 'or',
  '!': 'not',
  '===': '==',
  '!==': '!=',
  '=': '==',
  '{{': 'nothing (a condition is already an expression; drop the braces)',
  '{%': 'a plain expression',
  $: 'a variable name without $',
  '`': 'quotes',
  ';': 'and',
};
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

export function tokenize(src: string, from = 0, to = src.length): Token[] {
  const out: Token[] = [];
  let i = from;
  while (i < to) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const prev = out[out.length - 1];
    const negative =
      c === '-' &&
      /[0-9]/.test(src[i + 1] ?? '') &&
      (!prev || (prev.k === 'op' && prev.v !== ')' && prev.v !== ']') || (prev.k === 'id' && ['and', 'or', 'not', 'in'].includes(prev.v)));
    if (/[0-9]/.test(c) || negative) {
      const m = /^-?[0-9]+(\.[0-9]+)?/.exec(src.slice(i, to))!;
      out.push({ k: 'num', v: Number(m[0]), pos: i, end: i + m[0].length });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, to))!;
      out.push({ k: 'id', v: m[0], pos: i, end: i + m[0].length });
      i += m[0].length;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      let s = '';
      while (j < to && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < to) {
          s += (Object.hasOwn(ESCAPES, src[j + 1]) ? ESCAPES[src[j + 1]] : undefined) ?? `\\${src[j + 1]}`;
          j += 2;
        } else s += src[j++];
      }
      if (j >= to) throw new ExprError('unterminated string', i, to);
      out.push({ k: 'str', v: s, pos: i, end: j + 1 });
      i = j + 1;
      continue;
    }
    const foreign = Object.keys(FOREIGN)
      .sort((a, b) => b.length - a.length)
      .find((f) => src.startsWith(f, i));
    const op = OPS.find((o) => src.startsWith(o, i));
    if (foreign && (!op || foreign.length > op.length)) {
      throw new ExprError(`unknown operator "${foreign}"`, i, i + foreign.length, `write ${FOREIGN[foreign]}`);
    }
    if (op) {
      out.push({ k: 'op', v: op, pos: i, end: i + op.length });
      i += op.length;
      continue;
    }
    throw new ExprError(`unexpected character "${c}"`, i);
  }
  out.push({ k: 'eof', v: '', pos: to, end: to });
  return out;
}

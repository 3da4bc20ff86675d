import { J2Error } from './values.js';

/**
 * Template text -> data / {{ }} / {% %} pieces, with Jinja2's whitespace rules as Ansible's
 * template module sets them: trim_blocks on (one newline after a block or comment tag is
 * eaten), lstrip_blocks off, `-` strips all whitespace on that side, `+` disables both,
 * `{% raw %}` is copied verbatim. Positions are offsets into the source, for errors.
 */
export type Piece =
  { t: 'data'; s: string; pos: number } | { t: 'var'; src: string; pos: number } | { t: 'block'; src: string; pos: number };

export interface LexOptions {
  trimBlocks: boolean;
  lstripBlocks: boolean;
}

export function lexTemplate(src: string, opts: LexOptions): Piece[] {
  const out: Piece[] = [];
  let i = 0;
  let stripNext = false;
  let trimNext = false;
  const pushData = (s: string, pos: number): void => {
    if (stripNext) s = s.replace(/^\s+/, '');
    else if (trimNext && s.startsWith('\n')) s = s.slice(1);
    stripNext = false;
    trimNext = false;
    if (s) out.push({ t: 'data', s, pos });
  };
  while (i < src.length) {
    const open = nextOpen(src, i);
    if (open < 0) {
      pushData(src.slice(i), i);
      break;
    }
    const kind = src[open + 1];
    const mod = src[open + 2];
    let data = src.slice(i, open);
    if (mod === '-') data = data.replace(/\s+$/, '');
    else if (opts.lstripBlocks && kind !== '{' && mod !== '+') {
      const nl = data.lastIndexOf('\n');
      const tail = data.slice(nl + 1);
      if ((nl >= 0 || open === 0 || i === 0) && /^[ \t]*$/.test(tail)) data = data.slice(0, nl + 1);
    }
    const dataStart = i;
    const innerStart = open + 2 + (mod === '-' || mod === '+' ? 1 : 0);
    if (kind === '#') {
      const close = src.indexOf('#}', innerStart);
      if (close < 0) throw new J2Error('comment {# is not closed with #}', open);
      pushData(data, dataStart);
      finishTag(src[close - 1], true);
      i = close + 2;
      continue;
    }
    const closer = kind === '{' ? '}}' : '%}';
    const close = findClose(src, innerStart, closer, open);
    const rmod = src[close - 1];
    const inner = src.slice(innerStart, rmod === '-' || rmod === '+' ? close - 1 : close);
    pushData(data, dataStart);
    if (kind === '%' && /^\s*raw\s*$/.test(inner)) {
      const end = /\{%([-+]?)\s*endraw\s*([-+]?)%\}/g;
      end.lastIndex = close + 2;
      const m = end.exec(src);
      if (!m) throw new J2Error('{% raw %} is not closed with {% endraw %}', open);
      let raw = src.slice(close + 2, m.index);
      if (rmod === '-') raw = raw.replace(/^\s+/, '');
      if (m[1] === '-') raw = raw.replace(/\s+$/, '');
      if (raw) out.push({ t: 'data', s: raw, pos: close + 2 });
      finishTag(m[2] === '' ? '%' : m[2], true);
      i = m.index + m[0].length;
      continue;
    }
    out.push({ t: kind === '{' ? 'var' : 'block', src: inner, pos: innerStart });
    finishTag(rmod, kind === '%');
    i = close + 2;
  }
  return out;

  function finishTag(rmod: string | undefined, isBlock: boolean): void {
    if (rmod === '-') stripNext = true;
    else if (rmod !== '+' && isBlock && opts.trimBlocks) trimNext = true;
  }
}

function nextOpen(src: string, from: number): number {
  for (let j = src.indexOf('{', from); j >= 0 && j < src.length - 1; j = src.indexOf('{', j + 1)) {
    const c = src[j + 1];
    if (c === '{' || c === '%' || c === '#') return j;
  }
  return -1;
}

/** The closing `}}`/`%}`, skipping strings and (as Jinja2's lexer) balanced brackets: `{{ {'a': {}} }}`. */
function findClose(src: string, from: number, closer: string, open: number): number {
  let q: string | undefined;
  let depth = 0;
  for (let j = from; j < src.length - 1; j++) {
    const c = src[j];
    if (q) {
      if (c === '\\') j++;
      else if (c === q) q = undefined;
    } else if (c === "'" || c === '"') q = c;
    else if (depth === 0 && c === closer[0] && src[j + 1] === closer[1]) return j;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
  }
  throw new J2Error(`${src.slice(open, open + 2)} is not closed with ${closer}`, open);
}

export type Tok =
  | { t: 'name'; v: string; pos: number }
  | { t: 'str'; v: string; pos: number }
  | { t: 'int'; v: number; pos: number }
  | { t: 'float'; v: number; pos: number }
  | { t: 'op'; v: string; pos: number }
  | { t: 'end'; v: ''; pos: number };

const OPS = [
  '**',
  '//',
  '==',
  '!=',
  '<=',
  '>=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '~',
  '|',
  '.',
  ',',
  ':',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '=',
  '<',
  '>',
];

/** Expression text (inside a tag) -> tokens; `base` is the text's offset in the template. */
export function lexExpr(text: string, base: number): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const pos = base + i;
    const rest = text.slice(i);
    let m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (m) {
      toks.push({ t: 'name', v: m[0], pos });
      i += m[0].length;
      continue;
    }
    m = /^(\d[\d_]*)?(\.\d[\d_]*)?([eE][+-]?\d+)?/.exec(rest);
    if (m && m[0] && m[1] !== undefined && !(m[2] === undefined && m[3] === undefined)) {
      toks.push({ t: 'float', v: Number(m[0].replace(/_/g, '')), pos });
      i += m[0].length;
      continue;
    }
    if (m && m[1] !== undefined) {
      toks.push({ t: 'int', v: Number(m[1].replace(/_/g, '')), pos });
      i += m[1].length;
      continue;
    }
    if (c === "'" || c === '"') {
      const { v, end } = readString(text, i, base);
      toks.push({ t: 'str', v, pos });
      i = end;
      continue;
    }
    const op = OPS.find((o) => rest.startsWith(o));
    if (!op) throw new J2Error(`unexpected character ${JSON.stringify(c)}`, pos);
    toks.push({ t: 'op', v: op, pos });
    i += op.length;
  }
  toks.push({ t: 'end', v: '', pos: base + text.length });
  return toks;
}

const ESC: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '\n': '',
};

function readString(text: string, start: number, base: number): { v: string; end: number } {
  const q = text[start];
  let v = '';
  for (let j = start + 1; j < text.length; j++) {
    const c = text[j];
    if (c === q) return { v, end: j + 1 };
    if (c !== '\\') {
      v += c;
      continue;
    }
    const n = text[j + 1];
    const oct = /^[0-7]{1,3}/.exec(text.slice(j + 1, j + 4));
    if (oct) {
      // Python's unicode-escape: '\1' is chr(1) (so roles write '\\1' for a backreference).
      v += String.fromCharCode(parseInt(oct[0], 8));
      j += oct[0].length;
      continue;
    }
    const hex = n === 'x' ? 2 : n === 'u' ? 4 : n === 'U' ? 8 : 0;
    if (hex && /^[0-9a-fA-F]+$/.test(text.slice(j + 2, j + 2 + hex)) && text.slice(j + 2, j + 2 + hex).length === hex) {
      v += String.fromCodePoint(parseInt(text.slice(j + 2, j + 2 + hex), 16));
      j += 1 + hex;
    } else if (n !== undefined && Object.hasOwn(ESC, n)) {
      v += ESC[n];
      j++;
    } else v += c;
  }
  throw new J2Error('string is not closed', base + start);
}

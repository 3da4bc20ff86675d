/**
 * Python's ast.literal_eval for INI inventory values, the rule Ansible applies to every
 * `k=v` in an INI inventory: `1` is an int, `1.5` a float, `True`/`False`/`None` are literals,
 * `[1, 'a']`, `{'k': 2}`, `(1, 2)` and `1, 2` are structures (tuples become lists), a quoted
 * value is a string without its quotes. Anything else (`yes`, `0644`, `10.0.0.1`, `a b`)
 * is not a literal: the caller keeps the text as it is.
 */
export type PyValue = null | boolean | number | string | PyValue[] | { [k: string]: PyValue };

class NotLiteral extends Error {}

export function literalEval(text: string): { ok: true; value: PyValue } | { ok: false } {
  try {
    const p = new Parser(text.replace(/^[ \t]+/, ''));
    const v = p.topLevel();
    return { ok: true, value: v };
  } catch (err) {
    if (err instanceof NotLiteral) return { ok: false };
    throw err;
  }
}

/** The INI rule: the literal when there is one, else the text. */
export function iniValue(text: string): unknown {
  const r = literalEval(text);
  return r.ok ? r.value : text;
}

const NUM_TOKEN = /^(?:\d|\.\d)[0-9A-Za-z_.]*(?:(?<=[eE])[+-][0-9_]+)?/;
const DEC_INT = /^(?:[1-9](?:_?\d)*|0(?:_?0)*)$/;
const FLOAT = /^(?:(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.)(?:[eE][+-]?\d(?:_?\d)*)?|\d(?:_?\d)*[eE][+-]?\d(?:_?\d)*)$/;

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  topLevel(): PyValue {
    this.ws();
    if (this.i >= this.s.length) throw new NotLiteral();
    const first = this.value();
    this.ws();
    // `1, 2` at the top is a tuple, as in Python.
    if (this.peek() === ',') {
      const items = [first];
      while (this.peek() === ',') {
        this.i++;
        this.ws();
        if (this.i >= this.s.length) break;
        items.push(this.value());
        this.ws();
      }
      this.end();
      return items;
    }
    this.end();
    return first;
  }

  private end(): void {
    this.ws();
    if (this.i < this.s.length) throw new NotLiteral();
  }

  private peek(): string {
    return this.s[this.i] ?? '';
  }

  private ws(): void {
    while (this.i < this.s.length && /[ \t\n\r\f]/.test(this.s[this.i])) this.i++;
  }

  private value(): PyValue {
    this.ws();
    const c = this.peek();
    if (c === '-' || c === '+') {
      this.i++;
      this.ws();
      const v = this.value();
      if (typeof v !== 'number') throw new NotLiteral();
      return c === '-' ? -v : v;
    }
    if (c === '[') return this.seq(']');
    if (c === '(') return this.seq(')');
    if (c === '{') return this.dict();
    const str = this.stringLit();
    if (str !== undefined) return str;
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i));
    if (word) {
      this.i += word[0].length;
      if (word[0] === 'True') return true;
      if (word[0] === 'False') return false;
      if (word[0] === 'None') return null;
      throw new NotLiteral();
    }
    const m = NUM_TOKEN.exec(this.s.slice(this.i));
    if (!m) throw new NotLiteral();
    this.i += m[0].length;
    const tok = m[0];
    const t = tok.replace(/_/g, '');
    if (/^0[xX](?:_?[0-9a-fA-F])+$/.test(tok)) return parseInt(t.slice(2), 16);
    if (/^0[oO](?:_?[0-7])+$/.test(tok)) return parseInt(t.slice(2), 8);
    if (/^0[bB](?:_?[01])+$/.test(tok)) return parseInt(t.slice(2), 2);
    // 0644 (a leading zero), 10.0.0.1 and 1j are not Python literals of ours.
    if (DEC_INT.test(tok) || FLOAT.test(tok)) return Number(t);
    throw new NotLiteral();
  }

  private seq(close: string): PyValue[] {
    this.i++;
    const out: PyValue[] = [];
    let sawComma = false;
    for (;;) {
      this.ws();
      if (this.peek() === close) {
        this.i++;
        // `(1)` is just 1 in Python; only `(1,)` is a tuple.
        return close === ')' && out.length === 1 && !sawComma ? (out[0] as PyValue[]) : out;
      }
      out.push(this.value());
      this.ws();
      if (this.peek() === ',') {
        this.i++;
        sawComma = true;
      } else if (this.peek() !== close) throw new NotLiteral();
    }
  }

  private dict(): PyValue {
    this.i++;
    const out: { [k: string]: PyValue } = {};
    const set: PyValue[] = [];
    let kind: 'dict' | 'set' | undefined;
    for (;;) {
      this.ws();
      if (this.peek() === '}') {
        this.i++;
        return kind === 'set' ? set : out;
      }
      const k = this.value();
      this.ws();
      if (this.peek() === ':' && kind !== 'set') {
        kind = 'dict';
        this.i++;
        if (k !== null && typeof k === 'object') throw new NotLiteral();
        out[k === null ? 'None' : typeof k === 'boolean' ? (k ? 'True' : 'False') : String(k)] = this.value();
      } else if (kind !== 'dict') {
        kind = 'set';
        set.push(k);
      } else throw new NotLiteral();
      this.ws();
      if (this.peek() === ',') this.i++;
      else if (this.peek() !== '}') throw new NotLiteral();
    }
  }

  /** One or more adjacent string literals ('a' "b" concatenate); undefined when none starts here. */
  private stringLit(): string | undefined {
    let out: string | undefined;
    for (;;) {
      this.ws();
      const m = /^([rRuU]?)('''|"""|'|")/.exec(this.s.slice(this.i));
      if (!m) return out;
      const raw = m[1].toLowerCase() === 'r';
      const q = m[2];
      this.i += m[0].length;
      let v = '';
      for (;;) {
        if (this.i >= this.s.length) throw new NotLiteral();
        if (this.s.startsWith(q, this.i)) {
          this.i += q.length;
          break;
        }
        const ch = this.s[this.i];
        if (ch === '\n' && q.length === 1) throw new NotLiteral();
        if (ch === '\\' && !raw) {
          const n = this.s[this.i + 1] ?? '';
          const esc: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };
          if (n in esc) {
            v += esc[n];
            this.i += 2;
            continue;
          }
          const hex = /^x([0-9a-fA-F]{2})|^u([0-9a-fA-F]{4})/.exec(this.s.slice(this.i + 1));
          if (hex) {
            v += String.fromCharCode(parseInt(hex[1] ?? hex[2], 16));
            this.i += 1 + hex[0].length;
            continue;
          }
          v += ch;
          this.i++;
          continue;
        }
        if (ch === '\\' && raw && this.s[this.i + 1] !== undefined) {
          v += ch + this.s[this.i + 1];
          this.i += 2;
          continue;
        }
        v += ch;
        this.i++;
      }
      out = (out ?? '') + v;
    }
  }
}

import type { CmpOp, Node } from './ast.js';
import { ExprError, tokenize, type Token } from './lexer.js';

/**
 * Grammar (lowest precedence first):
 *   expr    := or
 *   or      := and ('or' and)*
 *   and     := not ('and' not)*
 *   not     := 'not' not | test
 *   test    := filtered [ CMP filtered | ['not'] 'in' filtered | 'is' ['not'] NAME ]
 *   filtered:= postfix ('|' NAME [ '(' args ')' ])*
 *   postfix := primary ('.' NAME | '[' expr ']')*
 *   primary := NUMBER | '-' NUMBER | STRING | true|false|none (any case) | NAME
 *            | '(' expr ')' | '[' [expr (',' expr)* [',']] ']'
 * Comparisons do not chain (`a < b < c` is an error).
 */
const CMP = new Set(['==', '!=', '<', '<=', '>', '>=']);
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is']);
const CONSTS: Record<string, unknown> = { true: true, false: false, none: null, null: null };

export function parse(src: string, from = 0, to = src.length): Node {
  const toks = tokenize(src, from, to);
  let i = 0;
  const peek = (): Token => toks[i];
  const next = (): Token => toks[i++];
  const isOp = (v: string): boolean => peek().k === 'op' && peek().v === v;
  const isId = (v: string): boolean => peek().k === 'id' && peek().v === v;
  const expect = (v: string): Token => {
    if (!isOp(v)) throw unexpected(`expected "${v}"`);
    return next();
  };
  const unexpected = (what?: string): ExprError => {
    const t = peek();
    const shown = t.k === 'eof' ? 'end of expression' : `"${src.slice(t.pos, t.end)}"`;
    return new ExprError(`${what ? `${what}, got` : 'unexpected'} ${shown}`, t.pos, Math.max(t.end, t.pos + 1));
  };

  function orExpr(): Node {
    let l = andExpr();
    while (isId('or')) {
      next();
      const r = andExpr();
      l = { t: 'or', l, r, pos: l.pos, end: r.end };
    }
    return l;
  }
  function andExpr(): Node {
    let l = notExpr();
    while (isId('and')) {
      next();
      const r = notExpr();
      l = { t: 'and', l, r, pos: l.pos, end: r.end };
    }
    return l;
  }
  function notExpr(): Node {
    if (isId('not')) {
      const t = next();
      const e = notExpr();
      return { t: 'not', e, pos: t.pos, end: e.end };
    }
    return testExpr();
  }
  function testExpr(): Node {
    const l = filtered();
    const t = peek();
    if (t.k === 'op' && CMP.has(t.v)) {
      next();
      const r = filtered();
      if (peek().k === 'op' && CMP.has(String(peek().v))) throw unexpected('comparisons do not chain; use "and"');
      return { t: 'cmp', op: t.v as CmpOp, l, r, pos: l.pos, end: r.end };
    }
    if (isId('in') || (isId('not') && toks[i + 1]?.k === 'id' && toks[i + 1].v === 'in')) {
      const neg = isId('not');
      if (neg) next();
      next();
      const r = filtered();
      return { t: 'in', l, r, neg, pos: l.pos, end: r.end };
    }
    if (isId('is')) {
      next();
      const neg = isId('not');
      if (neg) next();
      const name = peek();
      if (name.k !== 'id') throw unexpected('expected a test name such as defined, changed, failed');
      next();
      return { t: 'is', e: l, test: name.v, neg, pos: l.pos, end: name.end };
    }
    return l;
  }
  function filtered(): Node {
    let e = postfix();
    while (isOp('|')) {
      next();
      const name = peek();
      if (name.k !== 'id') throw unexpected('expected a filter name after "|"');
      next();
      const args: Node[] = [];
      let end = name.end;
      if (isOp('(')) {
        next();
        while (!isOp(')')) {
          args.push(orExpr());
          if (!isOp(')')) expect(',');
        }
        end = next().end;
      }
      e = { t: 'filter', e, name: name.v, args, pos: e.pos, end };
    }
    return e;
  }
  function postfix(): Node {
    let e = primary();
    for (;;) {
      if (isOp('.')) {
        next();
        const k = peek();
        if (k.k !== 'id' && k.k !== 'num') throw unexpected('expected a name after "."');
        next();
        const key: Node = { t: 'lit', v: k.k === 'num' ? k.v : k.v, pos: k.pos, end: k.end };
        e = { t: 'get', obj: e, key, dotted: true, pos: e.pos, end: k.end };
      } else if (isOp('[')) {
        next();
        const key = orExpr();
        const close = expect(']');
        e = { t: 'get', obj: e, key, dotted: false, pos: e.pos, end: close.end };
      } else return e;
    }
  }
  function primary(): Node {
    const t = peek();
    if (t.k === 'num' || t.k === 'str') {
      next();
      return { t: 'lit', v: t.v, pos: t.pos, end: t.end };
    }
    if (t.k === 'id') {
      const lower = t.v.toLowerCase();
      // Jinja accepts true/True/none/None; TRUE is not special there but harmless to accept.
      if (Object.hasOwn(CONSTS, lower) && (t.v === lower || t.v === lower[0].toUpperCase() + lower.slice(1))) {
        next();
        return { t: 'lit', v: CONSTS[lower], pos: t.pos, end: t.end };
      }
      if (KEYWORDS.has(t.v)) throw unexpected();
      next();
      return { t: 'name', name: t.v, pos: t.pos, end: t.end };
    }
    if (t.k === 'op' && t.v === '(') {
      next();
      const e = orExpr();
      expect(')');
      return e;
    }
    if (t.k === 'op' && t.v === '[') {
      next();
      const items: Node[] = [];
      while (!isOp(']')) {
        items.push(orExpr());
        if (!isOp(']')) expect(',');
      }
      const close = next();
      return { t: 'list', items, pos: t.pos, end: close.end };
    }
    throw unexpected();
  }

  if (peek().k === 'eof') throw new ExprError('empty condition', from);
  const e = orExpr();
  if (peek().k !== 'eof') throw unexpected('expected an operator (and, or, ==, in, is, ...)');
  return e;
}

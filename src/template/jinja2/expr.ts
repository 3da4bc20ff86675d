import type { Expr, Param, Target } from './ast.js';
import type { Tok } from './lexer.js';
import { checkFilterName, testFn } from './registry.js';
import { J2Error, PyFloat } from './values.js';

/**
 * Recursive-descent parser for Jinja2 expressions, with Jinja2's precedence:
 * ternary < or < and < not < comparisons/in/is < + - < ~ < * / // % < ** < unary < postfix.
 */
export class ExprParser {
  i = 0;
  constructor(readonly toks: Tok[]) {}

  peek(o = 0): Tok {
    return this.toks[Math.min(this.i + o, this.toks.length - 1)];
  }
  next(): Tok {
    return this.toks[this.i < this.toks.length - 1 ? this.i++ : this.i];
  }
  isOp(v: string, o = 0): boolean {
    const t = this.peek(o);
    return t.t === 'op' && t.v === v;
  }
  isName(v: string, o = 0): boolean {
    const t = this.peek(o);
    return t.t === 'name' && t.v === v;
  }
  skipOp(v: string): boolean {
    if (!this.isOp(v)) return false;
    this.i++;
    return true;
  }
  skipName(v: string): boolean {
    if (!this.isName(v)) return false;
    this.i++;
    return true;
  }
  expectOp(v: string): Tok {
    const t = this.next();
    if (t.t !== 'op' || t.v !== v) throw new J2Error(`expected "${v}", found ${show(t)}`, t.pos);
    return t;
  }
  expectName(what = 'a name'): string {
    const t = this.next();
    if (t.t !== 'name') throw new J2Error(`expected ${what}, found ${show(t)}`, t.pos);
    return t.v;
  }
  atEnd(): boolean {
    return this.peek().t === 'end';
  }
  expectEnd(): void {
    const t = this.peek();
    if (t.t !== 'end') throw new J2Error(`unexpected ${show(t)}`, t.pos);
  }

  /** A full expression; a bare `a, b` is a tuple when allowed. */
  tuple(allowBare = true, withCond = true): Expr {
    const pos = this.peek().pos;
    const first = this.expr(withCond);
    if (!allowBare || !this.isOp(',')) return first;
    const items = [first];
    while (this.skipOp(',')) {
      if (this.atEnd() || this.isOp(')') || this.isOp('%')) break;
      items.push(this.expr(withCond));
    }
    return { t: 'tuple', items, pos };
  }

  expr(withCond = true): Expr {
    const e = this.or();
    if (!withCond || !this.isName('if')) return e;
    const pos = this.next().pos;
    const test = this.or();
    const no = this.skipName('else') ? this.expr() : undefined;
    return { t: 'cond', test, yes: e, no, pos };
  }

  private or(): Expr {
    let l = this.and();
    while (this.isName('or')) {
      const pos = this.next().pos;
      l = { t: 'or', l, r: this.and(), pos };
    }
    return l;
  }
  private and(): Expr {
    let l = this.not();
    while (this.isName('and')) {
      const pos = this.next().pos;
      l = { t: 'and', l, r: this.not(), pos };
    }
    return l;
  }
  private not(): Expr {
    if (this.isName('not')) {
      const pos = this.next().pos;
      return { t: 'not', e: this.not(), pos };
    }
    return this.compare();
  }
  private compare(): Expr {
    const pos = this.peek().pos;
    const first = this.math1();
    const ops: [string, Expr][] = [];
    for (;;) {
      const t = this.peek();
      if (t.t === 'op' && ['==', '!=', '<', '>', '<=', '>='].includes(t.v)) {
        this.i++;
        ops.push([t.v, this.math1()]);
      } else if (this.isName('in')) {
        this.i++;
        ops.push(['in', this.math1()]);
      } else if (this.isName('not') && this.isName('in', 1)) {
        this.i += 2;
        ops.push(['notin', this.math1()]);
      } else break;
    }
    return ops.length ? { t: 'cmp', first, ops, pos } : first;
  }
  private math1(): Expr {
    let l = this.concat();
    while (this.isOp('+') || this.isOp('-')) {
      const t = this.next();
      l = { t: 'bin', op: String(t.v), l, r: this.concat(), pos: t.pos };
    }
    return l;
  }
  private concat(): Expr {
    let l = this.math2();
    while (this.isOp('~')) {
      const t = this.next();
      l = { t: 'bin', op: '~', l, r: this.math2(), pos: t.pos };
    }
    return l;
  }
  private math2(): Expr {
    let l = this.pow();
    while (this.isOp('*') || this.isOp('/') || this.isOp('//') || this.isOp('%')) {
      const t = this.next();
      l = { t: 'bin', op: String(t.v), l, r: this.pow(), pos: t.pos };
    }
    return l;
  }
  private pow(): Expr {
    let l = this.unary();
    while (this.isOp('**')) {
      const t = this.next();
      l = { t: 'bin', op: '**', l, r: this.unary(), pos: t.pos };
    }
    return l;
  }
  private unary(withFilter = true): Expr {
    let e: Expr;
    if (this.isOp('-') || this.isOp('+')) {
      const t = this.next();
      e = { t: t.v === '-' ? 'neg' : 'pos', e: this.unary(false), pos: t.pos };
    } else e = this.postfix(this.primary());
    return withFilter ? this.filters(e) : e;
  }

  private primary(): Expr {
    const t = this.next();
    switch (t.t) {
      case 'name':
        if (t.v === 'true' || t.v === 'True') return { t: 'lit', v: true, pos: t.pos };
        if (t.v === 'false' || t.v === 'False') return { t: 'lit', v: false, pos: t.pos };
        if (t.v === 'none' || t.v === 'None') return { t: 'lit', v: null, pos: t.pos };
        return { t: 'name', name: t.v, pos: t.pos };
      case 'str': {
        let v = t.v;
        while (this.peek().t === 'str') v += (this.next() as Tok & { t: 'str' }).v;
        return { t: 'lit', v, pos: t.pos };
      }
      case 'int':
        return { t: 'lit', v: t.v, pos: t.pos };
      case 'float':
        return { t: 'lit', v: new PyFloat(t.v), pos: t.pos };
      case 'op':
        if (t.v === '(') {
          if (this.skipOp(')')) return { t: 'tuple', items: [], pos: t.pos };
          const e = this.tuple();
          this.expectOp(')');
          return e;
        }
        if (t.v === '[') {
          const items: Expr[] = [];
          while (!this.isOp(']')) {
            items.push(this.expr());
            if (!this.skipOp(',')) break;
          }
          this.expectOp(']');
          return { t: 'list', items, pos: t.pos };
        }
        if (t.v === '{') {
          const pairs: [Expr, Expr][] = [];
          while (!this.isOp('}')) {
            const k = this.expr();
            this.expectOp(':');
            pairs.push([k, this.expr()]);
            if (!this.skipOp(',')) break;
          }
          this.expectOp('}');
          return { t: 'dict', pairs, pos: t.pos };
        }
    }
    throw new J2Error(`unexpected ${show(t)}`, t.pos);
  }

  private postfix(e: Expr): Expr {
    for (;;) {
      if (this.isOp('.')) {
        const dot = this.next();
        const t = this.next();
        if (t.t === 'name') e = { t: 'attr', obj: e, name: t.v, pos: dot.pos };
        else if (t.t === 'int') e = { t: 'item', obj: e, key: { t: 'lit', v: t.v, pos: t.pos }, pos: dot.pos };
        else throw new J2Error(`expected an attribute name after ".", found ${show(t)}`, t.pos);
      } else if (this.isOp('[')) {
        const pos = this.next().pos;
        e = this.subscript(e, pos);
      } else if (this.isOp('(')) {
        const pos = this.next().pos;
        const { args, kwargs } = this.callArgs();
        e = { t: 'call', fn: e, args, kwargs, pos };
      } else return e;
    }
  }

  private subscript(obj: Expr, pos: number): Expr {
    const parts: (Expr | undefined)[] = [];
    let cur: Expr | undefined;
    let colons = 0;
    while (!this.isOp(']')) {
      if (this.skipOp(':')) {
        parts.push(cur);
        cur = undefined;
        colons++;
      } else cur = this.expr();
    }
    this.expectOp(']');
    parts.push(cur);
    if (colons === 0) {
      if (!cur) throw new J2Error('empty subscript []', pos);
      return { t: 'item', obj, key: cur, pos };
    }
    return { t: 'slice', obj, start: parts[0], stop: parts[1], step: parts[2], pos };
  }

  /** After "(": positional and keyword arguments up to ")". */
  callArgs(): { args: Expr[]; kwargs: [string, Expr][] } {
    const args: Expr[] = [];
    const kwargs: [string, Expr][] = [];
    while (!this.isOp(')')) {
      if (this.peek().t === 'name' && this.isOp('=', 1)) {
        const k = (this.next() as Tok & { t: 'name' }).v;
        this.i++;
        kwargs.push([k, this.expr()]);
      } else {
        if (this.isOp('*')) throw new J2Error('*args in a call is not supported', this.peek().pos);
        args.push(this.expr());
      }
      if (!this.skipOp(',')) break;
    }
    this.expectOp(')');
    return { args, kwargs };
  }

  private filters(e: Expr): Expr {
    for (;;) {
      if (this.isOp('|')) {
        this.i++;
        e = this.filterCall(e);
      } else if (this.isName('is')) {
        const pos = this.next().pos;
        const neg = this.skipName('not');
        const name = this.dottedName('a test name');
        // As Ansible: an unknown test or filter is an error when the template is parsed, even in
        // a branch that never runs.
        testFn(name, this.toks[this.i - 1].pos);
        let args: Expr[] = [];
        let kwargs: [string, Expr][] = [];
        if (this.skipOp('(')) ({ args, kwargs } = this.callArgs());
        else if (this.startsBareArg()) args = [this.postfix(this.primary())];
        e = { t: 'test', e, name, args, kwargs, neg, pos };
      } else return e;
    }
  }

  filterCall(e: Expr | undefined): Expr {
    const pos = this.peek().pos;
    const name = this.dottedName('a filter name');
    checkFilterName(name, pos);
    let args: Expr[] = [];
    let kwargs: [string, Expr][] = [];
    if (this.skipOp('(')) ({ args, kwargs } = this.callArgs());
    return this.postfix({ t: 'filter', e, name, args, kwargs, pos });
  }

  /** `ansible.builtin.to_json` and `to_json` are the same filter. */
  private dottedName(what: string): string {
    let name = this.expectName(what);
    while (this.isOp('.') && this.peek(1).t === 'name') {
      this.i++;
      name = this.expectName(what);
    }
    return name;
  }

  private startsBareArg(): boolean {
    const t = this.peek();
    if (t.t === 'str' || t.t === 'int' || t.t === 'float') return true;
    if (t.t === 'op') return t.v === '[' || t.v === '{' || t.v === '(';
    return t.t === 'name' && !['and', 'or', 'else', 'if', 'in', 'is', 'not'].includes(t.v);
  }

  /** Assignment target: `x`, `a, b`, `(a, b)`, `ns.attr`. */
  target(allowTuple = true): Target {
    const pos = this.peek().pos;
    const one = (): Target => {
      if (this.skipOp('(')) {
        const t = this.target();
        this.expectOp(')');
        return t;
      }
      const name = this.expectName('a variable name');
      if (this.skipOp('.')) return { t: 'ns', ns: name, attr: this.expectName('an attribute name'), pos };
      return { t: 'name', name, pos };
    };
    const first = one();
    if (!allowTuple || !this.isOp(',')) return first;
    const items = [first];
    while (this.skipOp(',')) {
      if (this.isName('in') || this.isOp('=') || this.atEnd()) break;
      items.push(one());
    }
    return { t: 'tuple', items, pos };
  }

  /** Macro/call parameters after "(": `a, b=1`. */
  params(): Param[] {
    const ps: Param[] = [];
    while (!this.isOp(')')) {
      const name = this.expectName('a parameter name');
      ps.push(this.skipOp('=') ? { name, def: this.expr() } : { name });
      if (!this.skipOp(',')) break;
    }
    this.expectOp(')');
    return ps;
  }
}

export function show(t: Tok): string {
  if (t.t === 'end') return 'end of expression';
  if (t.t === 'str') return `string ${JSON.stringify(t.v)}`;
  return `"${String(t.v)}"`;
}

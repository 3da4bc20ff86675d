import type { Expr, Stmt } from './ast.js';
import { ExprParser } from './expr.js';
import { lexExpr, lexTemplate, type LexOptions, type Piece } from './lexer.js';
import { J2Error } from './values.js';

/**
 * Pieces -> statement tree. Constructs Jinja2 has but this engine does not (template
 * inheritance, autoescape, trans, ...) are refused here, at their tag, as unsupported:
 * never left to surface later as a confusing undefined variable.
 */
const UNSUPPORTED: Record<string, string> = {
  autoescape: '{% autoescape %} is not supported (Ansible templates do not escape)',
  trans: '{% trans %} (i18n) is not supported',
  pluralize: '{% trans %} (i18n) is not supported',
};

type Tag = { kw: string; p: ExprParser; pos: number };

export function parseTemplate(src: string, opts: LexOptions): Stmt[] {
  const pieces = lexTemplate(src, opts);
  let i = 0;

  const tagOf = (pc: Piece & { t: 'block' }): Tag => {
    const p = new ExprParser(lexExpr(pc.src, pc.pos));
    const t = p.peek();
    if (t.t !== 'name') throw new J2Error('expected a statement name after {%', t.pos);
    p.i++;
    return { kw: t.v, p, pos: t.pos };
  };

  /** Parses statements until one of `ends` (returned, not consumed beyond the tag). */
  const body = (ends: string[], opener?: Tag): { stmts: Stmt[]; end?: Tag } => {
    const stmts: Stmt[] = [];
    while (i < pieces.length) {
      const pc = pieces[i++];
      if (pc.t === 'data') {
        stmts.push({ t: 'data', s: pc.s });
        continue;
      }
      if (pc.t === 'var') {
        const p = new ExprParser(lexExpr(pc.src, pc.pos));
        if (p.atEnd()) throw new J2Error('empty expression {{ }}', pc.pos);
        const e = p.tuple();
        p.expectEnd();
        stmts.push({ t: 'out', e, pos: pc.pos });
        continue;
      }
      const tag = tagOf(pc);
      if (ends.includes(tag.kw)) return { stmts, end: tag };
      stmts.push(statement(tag));
    }
    if (opener)
      throw new J2Error(
        `{% ${opener.kw} %} is not closed: expected {% ${ends.filter((e) => e.startsWith('end')).join(' or ')} %}`,
        opener.pos,
      );
    return { stmts };
  };

  const closed = (ends: string[], opener: Tag): { stmts: Stmt[]; end: Tag } => {
    const r = body(ends, opener);
    if (!r.end) throw new J2Error(`{% ${opener.kw} %} is not closed`, opener.pos);
    if (r.end.kw === 'endblock' && r.end.p.peek().t === 'name') r.end.p.i++;
    if (r.end.kw !== 'elif') r.end.p.expectEnd();
    return r as { stmts: Stmt[]; end: Tag };
  };

  const filterChain = (p: ExprParser): Expr[] => {
    const fs: Expr[] = [p.filterCall(undefined)];
    while (p.skipOp('|')) fs.push(p.filterCall(undefined));
    return fs;
  };

  const contextFlag = (p: ExprParser, dflt: boolean): boolean => {
    if ((p.isName('with') || p.isName('without')) && p.isName('context', 1)) {
      const w = p.isName('with');
      p.i += 2;
      return w;
    }
    return dflt;
  };

  const statement = (tag: Tag): Stmt => {
    const { kw, p, pos } = tag;
    if (Object.hasOwn(UNSUPPORTED, kw)) throw new J2Error(`unsupported: ${UNSUPPORTED[kw]}`, pos);
    switch (kw) {
      case 'if': {
        const branches = [{ test: p.tuple(false), body: [] as Stmt[] }];
        p.expectEnd();
        let elseBody: Stmt[] | undefined;
        for (;;) {
          const r = closed(['elif', 'else', 'endif'], tag);
          if (elseBody) elseBody = r.stmts;
          else branches[branches.length - 1].body = r.stmts;
          if (r.end.kw === 'endif') break;
          if (elseBody) throw new J2Error('{% else %} must be the last branch of {% if %}', r.end.pos);
          if (r.end.kw === 'elif') {
            branches.push({ test: r.end.p.tuple(false), body: [] });
            r.end.p.expectEnd();
          } else elseBody = [];
        }
        return { t: 'if', branches, else: elseBody, pos };
      }
      case 'for': {
        const target = p.target();
        if (!p.skipName('in')) throw new J2Error('expected "in" in {% for %}', p.peek().pos);
        const iter = p.tuple(true, false);
        const cond = p.skipName('if') ? p.tuple(false) : undefined;
        const recursive = p.skipName('recursive');
        p.expectEnd();
        const r = closed(['else', 'endfor'], tag);
        const els = r.end.kw === 'else' ? closed(['endfor'], tag).stmts : undefined;
        return { t: 'for', target, iter, cond, recursive, body: r.stmts, else: els, pos };
      }
      case 'set': {
        const target = p.target();
        if (p.skipOp('=')) {
          const e = p.tuple();
          p.expectEnd();
          return { t: 'set', target, e, pos };
        }
        const filters = p.skipOp('|') ? filterChain(p) : [];
        p.expectEnd();
        return { t: 'setblock', target, filters, body: closed(['endset'], tag).stmts, pos };
      }
      case 'macro': {
        const name = p.expectName('a macro name');
        p.expectOp('(');
        const params = p.params();
        p.expectEnd();
        return { t: 'macro', name, params, body: closed(['endmacro'], tag).stmts, pos };
      }
      case 'call': {
        let params: { name: string }[] = [];
        if (p.skipOp('(')) params = p.params();
        const call = p.expr();
        if (call.t !== 'call') throw new J2Error('{% call %} needs a macro call, like {% call m(x) %}', call.pos);
        p.expectEnd();
        return { t: 'call', params, call, body: closed(['endcall'], tag).stmts, pos };
      }
      case 'filter': {
        const filters = filterChain(p);
        p.expectEnd();
        return { t: 'filterblock', filters, body: closed(['endfilter'], tag).stmts, pos };
      }
      case 'with': {
        const sets: [ReturnType<ExprParser['target']>, Expr][] = [];
        while (!p.atEnd()) {
          const t = p.target(false);
          p.expectOp('=');
          sets.push([t, p.expr()]);
          if (!p.skipOp(',')) break;
        }
        p.expectEnd();
        return { t: 'with', sets, body: closed(['endwith'], tag).stmts, pos };
      }
      case 'include': {
        const e = p.expr();
        let ignoreMissing = false;
        if (p.isName('ignore') && p.isName('missing', 1)) {
          p.i += 2;
          ignoreMissing = true;
        }
        const withContext = contextFlag(p, true);
        p.expectEnd();
        return { t: 'include', e, ignoreMissing, withContext, pos };
      }
      case 'import': {
        const e = p.expr();
        if (!p.skipName('as')) throw new J2Error('expected "as NAME" in {% import %}', p.peek().pos);
        const as = p.expectName();
        const withContext = contextFlag(p, false);
        p.expectEnd();
        return { t: 'import', e, as, withContext, pos };
      }
      case 'from': {
        const e = p.expr();
        if (!p.skipName('import')) throw new J2Error('expected "import" in {% from ... import ... %}', p.peek().pos);
        const names: [string, string][] = [];
        let withContext = false;
        while (!p.atEnd()) {
          if ((p.isName('with') || p.isName('without')) && p.isName('context', 1)) {
            withContext = contextFlag(p, false);
            break;
          }
          const n = p.expectName();
          names.push([n, p.skipName('as') ? p.expectName() : n]);
          if (!p.skipOp(',')) {
            withContext = contextFlag(p, false);
            break;
          }
        }
        p.expectEnd();
        return { t: 'fromimport', e, names, withContext, pos };
      }
      case 'block': {
        const name = p.expectName('a block name');
        while (p.skipName('scoped') || p.skipName('required'));
        p.expectEnd();
        return { t: 'block', name, body: closed(['endblock'], tag).stmts, pos };
      }
      case 'extends': {
        const e = p.expr();
        p.expectEnd();
        return { t: 'extends', e, pos };
      }
      case 'do': {
        const e = p.tuple();
        p.expectEnd();
        return { t: 'do', e, pos };
      }
      case 'break':
      case 'continue':
        p.expectEnd();
        return { t: kw, pos };
      default:
        if (/^(end\w+|elif|else)$/.test(kw)) throw new J2Error(`{% ${kw} %} without a matching opening statement`, pos);
        throw new J2Error(
          `unsupported statement {% ${kw} %}`,
          pos,
          'supported: if, for, set, macro, call, filter, with, include, import, from, block, extends, raw, do, break, continue',
        );
    }
  };

  const r = body([]);
  return r.stmts;
}

import type { Expr, Param, Stmt, Target } from './ast.js';
import { applyFilter, defined, evalExpr, Frame, Namespace } from './evaluator.js';
import { Fn, isDict, iter, J2Error, need, pyEq, pyStr, truthy, Undef, undefErr, type Dict } from './values.js';

/**
 * Executes a parsed template. Scoping follows Jinja2: a for-loop body and a macro body get
 * their own frame (a `set` inside does not leak out; use namespace()), `if` does not.
 */
export interface Loader {
  /** Parsed template by name (include/import), relative to the including template. */
  load(name: string, from: string, pos: number): { stmts: Stmt[]; path: string } | undefined;
  /** Runs `fn` with errors located in `path` (so an error in an include names that file). */
  within<T>(path: string, fn: () => T): T;
}

class Break {}
class Continue {}

export class Renderer {
  constructor(
    readonly loader: Loader,
    readonly path: string,
    /** Block bodies from the child templates ({% extends %}): the most derived wins. */
    readonly blocks: Map<string, Stmt[]> = new Map(),
  ) {}

  run(stmts: Stmt[], f: Frame, out: string[]): void {
    const ext = stmts.find((s): s is Stmt & { t: 'extends' } => s.t === 'extends');
    if (ext) return this.extend(ext, stmts, f, out);
    for (const s of stmts) this.stmt(s, f, out);
  }

  /** A child template: its blocks replace the parent's; its other output is dropped (as Jinja2). */
  private extend(ext: Stmt & { t: 'extends' }, stmts: Stmt[], f: Frame, out: string[]): void {
    for (const s of stmts) if (s.t === 'set' || s.t === 'macro' || s.t === 'import' || s.t === 'fromimport') this.stmt(s, f, []);
    const collect = (list: Stmt[]): void => {
      for (const s of list) {
        if (s.t === 'block') {
          if (!this.blocks.has(s.name)) this.blocks.set(s.name, s.body);
          collect(s.body);
        }
      }
    };
    collect(stmts);
    const [name] = this.templateNames(ext.e, f);
    const t = this.loader.load(name, this.path, ext.pos);
    if (!t) throw new J2Error(`template ${JSON.stringify(name)} not found`, ext.e.pos);
    const parent = new Renderer(this.loader, t.path, this.blocks);
    this.loader.within(t.path, () => parent.run(t.stmts, f, out));
  }

  private stmt(s: Stmt, f: Frame, out: string[]): void {
    switch (s.t) {
      case 'data':
        out.push(s.s);
        return;
      case 'out': {
        const v = evalExpr(s.e, f);
        if (v instanceof Undef) {
          if (v.lenient) return;
          throw undefErr(v, s.e.pos);
        }
        // Ansible's finalize: None prints as nothing.
        if (v !== null) out.push(pyStr(v));
        return;
      }
      case 'if': {
        for (const b of s.branches) {
          if (truthy(evalExpr(b.test, f), b.test.pos)) return this.run(b.body, f, out);
        }
        if (s.else) this.run(s.else, f, out);
        return;
      }
      case 'for':
        return this.forLoop(s, f, out);
      case 'set':
        return assign(s.target, evalExpr(s.e, f), f, s.pos);
      case 'setblock': {
        let v: unknown = this.capture(s.body, f);
        for (const flt of s.filters) v = this.filterWith(flt, v, f);
        return assign(s.target, v, f, s.pos);
      }
      case 'macro':
        f.vars.set(s.name, this.macro(s.name, s.params, s.body, f));
        return;
      case 'call': {
        const caller = this.macro('caller', s.params, s.body, f);
        const call = s.call as Expr & { t: 'call' };
        const fn = evalExpr(call.fn, f);
        if (!(fn instanceof Fn))
          throw new J2Error(`{% call %} needs a macro; ${call.fn.t === 'name' ? `"${call.fn.name}"` : 'this'} is not one`, call.pos);
        const kw: Dict = { caller };
        for (const [k, e] of call.kwargs) kw[k] = evalExpr(e, f);
        out.push(
          pyStr(
            fn.f(
              call.args.map((a) => evalExpr(a, f)),
              kw,
              call.pos,
            ),
          ),
        );
        return;
      }
      case 'filterblock': {
        let v: unknown = this.capture(s.body, f);
        for (const flt of s.filters) v = this.filterWith(flt, v, f);
        out.push(pyStr(v));
        return;
      }
      case 'with': {
        const inner = f.child();
        for (const [t, e] of s.sets) assign(t, evalExpr(e, f), inner, s.pos);
        return this.run(s.body, inner, out);
      }
      case 'include':
        return this.include(s, f, out);
      case 'import': {
        const mod = this.importModule(s.e, s.withContext, f, s.pos);
        f.vars.set(s.as, mod);
        return;
      }
      case 'fromimport': {
        const attrs = this.importModule(s.e, s.withContext, f, s.pos).attrs ?? {};
        for (const [name, as] of s.names) {
          if (!Object.hasOwn(attrs, name)) throw new J2Error(`the imported template does not define "${name}"`, s.pos);
          f.vars.set(as, attrs[name]);
        }
        return;
      }
      case 'do':
        evalExpr(s.e, f);
        return;
      case 'block':
        return this.run(this.blocks.get(s.name) ?? s.body, f.child(), out);
      case 'extends':
        return;
      case 'break':
        throw new Break();
      case 'continue':
        throw new Continue();
    }
  }

  capture(body: Stmt[], f: Frame): string {
    const out: string[] = [];
    this.run(body, f, out);
    return out.join('');
  }

  private filterWith(flt: Expr, v: unknown, f: Frame): unknown {
    if (flt.t !== 'filter') return v;
    const kw: Dict = {};
    for (const [k, e] of flt.kwargs) kw[k] = defined(evalExpr(e, f), e.pos);
    return applyFilter(
      flt.name,
      v,
      flt.args.map((a) => defined(evalExpr(a, f), a.pos)),
      kw,
      flt.pos,
    );
  }

  private forLoop(s: Stmt & { t: 'for' }, f: Frame, out: string[], depth = 1, over?: unknown): void {
    const src = over ?? evalExpr(s.iter, f);
    let items = iter(
      src instanceof Undef
        ? (() => {
            throw undefErr(src, s.iter.pos);
          })()
        : src,
      s.iter.pos,
    );
    if (s.cond) {
      const cond = s.cond;
      items = items.filter((it) => {
        const g = f.child();
        assign(s.target, it, g, s.pos);
        return truthy(evalExpr(cond, g), cond.pos);
      });
    }
    if (items.length === 0) {
      if (s.else) this.run(s.else, f, out);
      return;
    }
    let last: unknown[] = [];
    for (let i = 0; i < items.length; i++) {
      const g = f.child();
      const n = items.length;
      const attrs: Dict = {
        index: i + 1,
        index0: i,
        revindex: n - i,
        revindex0: n - i - 1,
        first: i === 0,
        last: i === n - 1,
        length: n,
        depth,
        depth0: depth - 1,
        previtem: i > 0 ? items[i - 1] : new Undef('loop.previtem', s.pos, 'loop.previtem is undefined on the first iteration'),
        nextitem: i < n - 1 ? items[i + 1] : new Undef('loop.nextitem', s.pos, 'loop.nextitem is undefined on the last iteration'),
        cycle: new Fn('cycle', (args, _kw, pos) => {
          if (args.length === 0) throw new J2Error('loop.cycle() needs at least one value', pos);
          return args[i % args.length];
        }),
        changed: new Fn('changed', (args) => {
          if (last.length === args.length && args.every((a, j) => pyEq(a, last[j]))) return false;
          last = args;
          return true;
        }),
      };
      const loop = new Fn(
        'loop',
        (args, _kw, pos) => {
          if (!s.recursive) throw new J2Error('loop() can only be called in a {% for ... recursive %} loop', pos);
          const sub: string[] = [];
          this.forLoop(s, f, sub, depth + 1, args[0]);
          return sub.join('');
        },
        attrs,
      );
      g.vars.set('loop', loop);
      assign(s.target, items[i], g, s.pos);
      try {
        this.run(s.body, g, out);
      } catch (e) {
        if (e instanceof Break) break;
        if (e instanceof Continue) continue;
        throw e;
      }
    }
  }

  macro(name: string, params: Param[], body: Stmt[], closure: Frame): Fn {
    const fn = new Fn(
      name,
      (args, kw, pos) => {
        const g = closure.child();
        const extra: unknown[] = [];
        params.forEach((p, i) => {
          if (i < args.length) g.vars.set(p.name, args[i]);
          else if (Object.hasOwn(kw, p.name)) g.vars.set(p.name, kw[p.name]);
          else if (p.def) g.vars.set(p.name, evalExpr(p.def, g));
          else g.vars.set(p.name, new Undef(p.name, pos, `macro "${name}" was called without its argument "${p.name}"`));
        });
        for (let i = params.length; i < args.length; i++) extra.push(args[i]);
        const rest: Dict = {};
        for (const [k, v] of Object.entries(kw)) if (k !== 'caller' && !params.some((p) => p.name === k)) rest[k] = v;
        g.vars.set('varargs', extra);
        g.vars.set('kwargs', rest);
        if (kw.caller instanceof Fn) g.vars.set('caller', kw.caller);
        return this.capture(body, g);
      },
      { name, arguments: params.map((p) => p.name) },
    );
    return fn;
  }

  private include(s: Stmt & { t: 'include' }, f: Frame, out: string[]): void {
    const names = this.templateNames(s.e, f);
    for (const name of names) {
      const t = this.loader.load(name, this.path, s.e.pos);
      if (!t) continue;
      const r = new Renderer(this.loader, t.path);
      const frame = s.withContext ? f.child() : new Frame(undefined, {}, f.globals);
      this.loader.within(t.path, () => r.run(t.stmts, frame, out));
      return;
    }
    if (!s.ignoreMissing)
      throw new J2Error(
        `template ${names.map((n) => JSON.stringify(n)).join(', ')} not found`,
        s.e.pos,
        'templates are looked up next to the including template and in the role/playbook templates/ directory',
      );
  }

  private templateNames(e: Expr, f: Frame): string[] {
    const v = need(evalExpr(e, f), e.pos);
    const list = Array.isArray(v) ? v : [v];
    return list.map((x) => {
      if (typeof x !== 'string') throw new J2Error('a template name must be a string', e.pos);
      return x;
    });
  }

  private importModule(e: Expr, withContext: boolean, f: Frame, pos: number): Fn {
    const [name] = this.templateNames(e, f);
    const t = this.loader.load(name, this.path, pos);
    if (!t) throw new J2Error(`template ${JSON.stringify(name)} not found`, pos);
    const frame = withContext ? f.child() : new Frame(undefined, {}, f.globals);
    const r = new Renderer(this.loader, t.path);
    this.loader.within(t.path, () => r.capture(t.stmts, frame));
    const attrs: Dict = {};
    for (const [k, v] of frame.vars) if (!k.startsWith('_')) attrs[k] = v;
    return new Fn(
      name,
      (_a, _k, p) => {
        throw new J2Error(`imported template ${JSON.stringify(name)} is not callable`, p);
      },
      attrs,
    );
  }
}

export function assign(t: Target, v: unknown, f: Frame, pos: number): void {
  if (t.t === 'name') {
    f.vars.set(t.name, v);
    return;
  }
  if (t.t === 'ns') {
    const ns = f.lookup(t.ns);
    if (!(ns instanceof Namespace))
      throw new J2Error(`cannot assign attribute on "${t.ns}": only a namespace() can have attributes set`, t.pos);
    ns.attrs[t.attr] = v;
    return;
  }
  const items = isDict(v) ? Object.keys(v) : iter(need(v, pos), pos);
  if (items.length !== t.items.length) {
    throw new J2Error(`cannot unpack ${items.length} values into ${t.items.length} names`, t.pos);
  }
  t.items.forEach((sub, i) => assign(sub, items[i], f, pos));
}

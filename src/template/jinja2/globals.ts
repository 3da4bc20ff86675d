import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { Namespace } from './evaluator.js';
import { firstFoundList } from './first-found.js';
import { Fn, isDict, iter, J2Error, need, num, pyStr, str, truthy, Undef, type Dict } from './values.js';

/**
 * Functions templates call: Jinja2's (range, dict, namespace, cycler, joiner) and Ansible's
 * lookup()/query() for the plugins that run on the controller (env, file, vars, pipe, items,
 * list, dict, template); other lookups are refused by name.
 */
export interface LookupHost {
  /** Directories searched by lookup('file'): files/ of the role, the template's directory. */
  fileDirs: string[];
  vars: Dict;
  renderTemplate(name: string, pos: number): string;
}

function range(args: unknown[], pos: number): number[] {
  const n = args.map((a) => num(a, pos, 'an integer'));
  const [start, stop, step] = n.length === 1 ? [0, n[0], 1] : [n[0], n[1], n[2] ?? 1];
  if (step === 0) throw new J2Error('range() step must not be zero', pos);
  const out: number[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) {
    out.push(i);
    if (out.length > 100000) throw new J2Error('range() is too long (more than 100000 items)', pos);
  }
  return out;
}

function lookupValues(host: LookupHost, name: string, terms: unknown[], kw: Dict, pos: number): unknown[] {
  switch (name) {
    case 'env':
      return terms.map((t) => process.env[str(t, pos)] ?? (kw.default !== undefined ? kw.default : ''));
    case 'file':
      return terms.map((t) => {
        const f = str(t, pos);
        const path = isAbsolute(f) ? f : host.fileDirs.map((d) => join(d, f)).find((p) => existsSync(p));
        if (!path || !existsSync(path))
          throw new J2Error(`lookup('file'): could not find ${JSON.stringify(f)}`, pos, `searched: ${host.fileDirs.join(', ')}`);
        const text = readFileSync(path, 'utf8');
        return kw.rstrip === false ? text : text.replace(/\s+$/, '');
      });
    case 'vars':
      return terms.map((t) => {
        const k = str(t, pos);
        if (Object.hasOwn(host.vars, k)) return host.vars[k];
        if (kw.default !== undefined) return kw.default;
        throw new J2Error(`lookup('vars'): No variable found with this name: ${k}`, pos);
      });
    case 'pipe':
      return terms.map((t) => execFileSync('/bin/sh', ['-c', str(t, pos)], { encoding: 'utf8' }).replace(/\s+$/, ''));
    case 'items':
    case 'list':
      return name === 'items' ? terms.flatMap((t) => (Array.isArray(t) ? t : [t])) : terms;
    case 'dict':
      return terms.flatMap((t) => (isDict(t) ? Object.entries(t).map(([key, value]) => ({ key, value })) : []));
    case 'varnames':
      return terms.flatMap((t) => {
        const re = new RegExp(str(t, pos));
        return Object.keys(host.vars).filter((k) => re.test(k));
      });
    case 'template':
      return terms.map((t) => host.renderTemplate(str(t, pos), pos));
    case 'first_found': {
      // ansible_search_path is set per task by the planner (role dir, playbook dir), as in Ansible.
      const sp = host.vars.ansible_search_path;
      const search = Array.isArray(sp) ? sp.map(String) : [];
      return firstFoundList(terms, kw, [...search, ...host.fileDirs], 'files', pos);
    }
    default:
      throw new J2Error(
        `unsupported lookup "${name}"`,
        pos,
        'lookups that run here: env, file, vars, varnames, pipe, items, list, dict, template, first_found',
      );
  }
}

export function makeGlobals(host: LookupHost): Dict {
  const lookup =
    (wantList: boolean) =>
    (args: unknown[], kw: Dict, pos: number): unknown => {
      const name = str(args[0], pos);
      const values = lookupValues(host, name, args.slice(1), kw, pos);
      if (wantList || truthy(kw.wantlist ?? false, pos)) return values;
      return values.length === 1 ? values[0] : values.map((v) => pyStr(need(v, pos))).join(',');
    };
  return {
    range: new Fn('range', (a, _k, pos) => range(a, pos)),
    dict: new Fn('dict', (a, kw, pos) => {
      const out: Dict = {};
      if (a[0] !== undefined)
        for (const p of isDict(a[0]) ? Object.entries(a[0]) : iter(a[0], pos)) out[pyStr((p as unknown[])[0])] = (p as unknown[])[1];
      return Object.assign(out, kw);
    }),
    namespace: new Fn('namespace', (a, kw) => new Namespace({ ...(isDict(a[0]) ? a[0] : {}), ...kw })),
    cycler: new Fn('cycler', (items) => {
      let i = 0;
      return new Fn('cycler', () => items[i++ % items.length], {
        next: new Fn('next', () => items[i++ % items.length]),
        reset: new Fn('reset', () => {
          i = 0;
          return null;
        }),
      });
    }),
    joiner: new Fn('joiner', (a) => {
      let first = true;
      return new Fn('joiner', () => {
        if (first) {
          first = false;
          return '';
        }
        return a[0] === undefined ? ', ' : pyStr(a[0]);
      });
    }),
    lookup: new Fn('lookup', lookup(false)),
    query: new Fn('query', lookup(true)),
    q: new Fn('q', lookup(true)),
    undef: new Fn(
      'undef',
      (a, _k, pos) => new Undef('undef()', pos, a[0] === undefined ? 'a value made with undef() is undefined' : pyStr(a[0])),
    ),
  };
}

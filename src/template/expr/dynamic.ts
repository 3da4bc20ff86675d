import { quote } from '../../shell/quote.js';
import { ExprError } from './lexer.js';
import { kind, type Dyn, type Val } from './values.js';
import { RETURN_DICTS, RETURN_SCALARS, retKey, type RetType } from '../../modules/returns.js';

/**
 * Bash for conditions on registered results (runtime values). Every literal goes through
 * quote(); registered values are only ever expanded inside double quotes or, for integers,
 * as words proven to be decimal digits, so nothing they contain is executed or globbed.
 * Variables default to a neutral value (`:-`) so `set -u` never aborts the script when a
 * registering task did not run.
 */
const FLAGS = new Set(['changed', 'failed', 'skipped']);
export const REG_ATTRS = ['changed', 'failed', 'skipped', 'rc', 'stdout', 'stderr', 'stdout_lines', 'stderr_lines'];

const bool = (code: string, atomic = true): Dyn => ({ k: 'bool', code, atomic });

export function regFlag(name: string, flag: string): Dyn {
  return bool(`[[ \${chom_r_${name}_${flag}:-false} == true ]]`);
}

/** A module return value (src/modules/returns.ts) as bash, by its type. */
function retVal(name: string, path: readonly string[], t: RetType, pos: number, end: number): Dyn {
  const v = `chom_r_${name}__${retKey(path, t)}`;
  switch (t) {
    case 'bool':
      return bool(`[[ \${${v}:-false} == true ]]`);
    case 'int':
      return { k: 'int', w: `\${${v}:-0}` };
    case 'str':
      return { k: 'str', w: `"\${${v}:-}"` };
    case 'lines':
      return { k: 'lines', w: `"\${${v}:-}"` };
    case 'float':
      throw new ExprError(
        `${name}.${path.join('.')} is a number with a fraction: conditions cannot use it yet`,
        pos,
        end,
        'compare it in a later play, or use a whole-number field',
      );
  }
}

/** `reg.a.b`: the dictionary or typed field at that path of a registered result. */
function regPath(name: string, path: readonly string[], pos: number, end: number): Dyn {
  if (path.length === 1 && Object.hasOwn(RETURN_DICTS, path[0])) return { k: 'reg', name, path };
  if (path.length === 1 && Object.hasOwn(RETURN_SCALARS, path[0])) return retVal(name, path, RETURN_SCALARS[path[0]], pos, end);
  if (path.length === 2 && Object.hasOwn(RETURN_DICTS, path[0])) {
    const fields = RETURN_DICTS[path[0]];
    if (Object.hasOwn(fields, path[1])) return retVal(name, path, fields[path[1]], pos, end);
    throw new ExprError(`${name}.${path[0]} has no "${path[1]}"`, pos, end, `known: ${Object.keys(fields).join(', ')}`);
  }
  throw new ExprError(
    `registered result "${name}" has no "${path.join('.')}" here`,
    pos,
    end,
    `known: ${[...REG_ATTRS, ...Object.keys(RETURN_DICTS), ...Object.keys(RETURN_SCALARS)].join(', ')}`,
  );
}

/**
 * `reg.a.b is defined` for a module return value: whether the host set it (stat returns only
 * `exists` for a missing path). Undefined before the registering task ran, as in Ansible.
 */
export function regDefined(name: string, path: readonly string[]): Dyn {
  return bool(`[[ -n \${chom_r_${name}__${retKey(path)}+x} ]]`);
}

export function regAttr(name: string, attr: string, pos: number, end: number, path: readonly string[] = []): Dyn {
  if (path.length > 0) return regPath(name, [...path, attr], pos, end);
  if (FLAGS.has(attr)) return regFlag(name, attr);
  if (attr === 'rc') return { k: 'int', w: `\${chom_r_${name}_rc:-0}` };
  if (attr === 'stdout' || attr === 'stderr') return { k: 'str', w: `"\${chom_r_${name}_${attr}:-}"` };
  if (attr === 'stdout_lines' || attr === 'stderr_lines') return { k: 'lines', w: `"\${chom_r_${name}_${attr.slice(0, 6)}:-}"` };
  return regPath(name, [attr], pos, end);
}

export function regTest(name: string, test: string): Dyn | undefined {
  if (FLAGS.has(test)) return regFlag(name, test);
  if (test === 'succeeded' || test === 'success') return bool(`[[ \${chom_r_${name}_failed:-false} != true ]]`);
  return undefined;
}

export function not(d: Dyn & { k: 'bool' }): Dyn {
  // `! X` is only ever built from an atomic or braced X, so it unwraps safely.
  if (d.atomic && d.code.startsWith('! ')) return bool(d.code.slice(2));
  return bool(d.atomic ? `! ${d.code}` : `! { ${d.code}; }`);
}

function group(d: Dyn & { k: 'bool' }): string {
  return d.atomic ? d.code : `{ ${d.code}; }`;
}

export function andOr(op: 'and' | 'or', a: Dyn & { k: 'bool' }, b: Dyn & { k: 'bool' }): Dyn {
  return bool(`${group(a)} ${op === 'and' ? '&&' : '||'} ${group(b)}`, false);
}

/** Truth of a runtime value as Jinja's `if` sees it. */
export function truth(d: Dyn): Val {
  switch (d.k) {
    case 'bool':
      return d;
    case 'int':
      return bool(`[[ ${d.w} -ne 0 ]]`);
    case 'str':
    case 'lines':
      return bool(`[[ -n ${d.w} ]]`);
    case 'reg':
      return { k: 'known', v: true };
  }
}

const INT_OP: Record<string, string> = { '==': '-eq', '!=': '-ne', '<': '-lt', '<=': '-le', '>': '-gt', '>=': '-ge' };
export const MIRROR: Record<string, string> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function strCmp(op: string, l: string, r: string): Dyn {
  switch (op) {
    case '==':
      return bool(`[[ ${l} == ${r} ]]`);
    case '!=':
      return bool(`[[ ${l} != ${r} ]]`);
    case '<':
      return bool(`[[ ${l} < ${r} ]]`);
    case '>':
      return bool(`[[ ${l} > ${r} ]]`);
    case '<=':
      return bool(`[[ ${l} < ${r} || ${l} == ${r} ]]`);
    default:
      return bool(`[[ ${l} > ${r} || ${l} == ${r} ]]`);
  }
}

/** `dyn OP other` where other is a runtime or compile-time value. */
export function compareDyn(op: string, d: Dyn, other: Val, what: string, pos: number, end: number): Val {
  if (other.k === 'known' && other.v === null) return { k: 'known', v: op === '!=' };
  const fail = (msg: string, hint?: string): never => {
    throw new ExprError(msg, pos, end, hint);
  };
  if (d.k === 'int') {
    if (other.k === 'int') return bool(`[[ ${d.w} ${INT_OP[op]} ${other.w} ]]`);
    if (other.k === 'known' && typeof other.v === 'number' && Number.isInteger(other.v))
      return bool(`[[ ${d.w} ${INT_OP[op]} ${quote(other.v)} ]]`);
    const shown = other.k === 'known' ? kind(other.v) : `a ${other.k === 'str' ? 'string' : other.k}`;
    return fail(
      `${what} is a whole number; it cannot be compared with ${shown}`,
      other.k === 'known' && typeof other.v === 'string' ? `write a number without quotes (${what} ${op} ${other.v})` : undefined,
    );
  }
  if (d.k === 'str') {
    if (other.k === 'str') return strCmp(op, d.w, other.w);
    if (other.k === 'known' && typeof other.v === 'string') return strCmp(op, d.w, quote(other.v));
    if (other.k === 'int') return fail(`${what} is a string; it cannot be compared with a number`, `use ${what} | int`);
    if (other.k === 'known' && typeof other.v === 'number')
      return fail(`${what} is a string; it cannot be compared with a number`, `use ${what} | int ${op} ${other.v}`);
    return fail(`${what} is a string; it cannot be compared with ${other.k === 'known' ? kind(other.v) : other.k}`);
  }
  if (d.k === 'bool' && (op === '==' || op === '!=')) {
    if (other.k === 'known' && typeof other.v === 'boolean') return other.v === (op === '==') ? d : not(d);
    if (other.k === 'bool') {
      const same = andOr(
        'or',
        andOr('and', d, other) as Dyn & { k: 'bool' },
        andOr('and', not(d) as Dyn & { k: 'bool' }, not(other) as Dyn & { k: 'bool' }) as Dyn & { k: 'bool' },
      );
      return op === '==' ? same : not(same as Dyn & { k: 'bool' });
    }
  }
  return fail(
    `${what} cannot be compared with "${op}" here`,
    d.k === 'reg' ? `compare one of its fields: ${REG_ATTRS.join(', ')}` : undefined,
  );
}

const NL = `$'\\n'`;

/** `needle in haystack` where at least one side is a runtime value. */
export function inDyn(needle: Val, hay: Val, pos: number, end: number): Val {
  const fail = (msg: string): never => {
    throw new ExprError(msg, pos, end);
  };
  const word = (v: Val): string | undefined => {
    if (v.k === 'str' || v.k === 'int') return v.k === 'int' ? `"${v.w}"` : v.w;
    if (v.k === 'known' && (typeof v.v === 'string' || typeof v.v === 'number')) return quote(v.v);
    return undefined;
  };
  if (hay.k === 'str' || hay.k === 'lines') {
    const n = word(needle);
    if (n === undefined || (needle.k === 'known' && typeof needle.v !== 'string'))
      return fail(`"in" ${hay.k === 'str' ? 'a string' : 'lines'} needs a string on the left`);
    if (hay.k === 'str') return bool(`[[ ${hay.w} == *${n}* ]]`);
    return bool(`[[ ${NL}${hay.w}${NL} == *${NL}${n}${NL}* ]]`);
  }
  if (hay.k === 'known' && Array.isArray(hay.v) && (needle.k === 'str' || needle.k === 'int')) {
    const items = hay.v.filter((x) => (needle.k === 'str' ? typeof x === 'string' : typeof x === 'number' && Number.isInteger(x)));
    if (items.length === 0) return { k: 'known', v: false };
    const parts = items.map((x) => (needle.k === 'int' ? `${needle.w} -eq ${quote(x as number)}` : `${needle.w} == ${quote(x as string)}`));
    return bool(`[[ ${parts.join(' || ')} ]]`);
  }
  if (hay.k === 'known' && typeof hay.v === 'string' && needle.k === 'str') return bool(`[[ ${quote(hay.v)} == *${needle.w}* ]]`);
  return fail(
    `cannot test "in" between ${needle.k === 'known' ? kind(needle.v) : needle.k} and ${hay.k === 'known' ? kind(hay.v) : hay.k}`,
  );
}

/** Filters applied to runtime values. */
export function filterDyn(name: string, d: Dyn, pos: number, end: number): Val {
  const fail = (msg: string): never => {
    throw new ExprError(msg, pos, end);
  };
  if (d.k === 'reg') return fail(`filter "${name}" cannot be applied to a whole registered result; use one of its fields`);
  switch (name) {
    case 'default':
    case 'd':
      return d;
    case 'int':
      if (d.k === 'int') return d;
      if (d.k === 'bool') return { k: 'int', w: `$(if ${d.code}; then printf 1; else printf 0; fi)` };
      // Only a validated run of digits (leading zeros dropped: bash would read them as octal)
      // ever reaches an arithmetic context; anything else is 0, like Jinja's int.
      return {
        k: 'int',
        w: `$([[ ${d.w} =~ ^[[:space:]]*(-?)0*([0-9]{1,18})[[:space:]]*$ ]] && printf '%s%s' "\${BASH_REMATCH[1]}" "\${BASH_REMATCH[2]}" || printf 0)`,
      };
    case 'bool':
      if (d.k === 'bool') return d;
      if (d.k === 'int') return bool(`[[ ${d.w} -eq 1 ]]`);
      return bool(`[[ ${d.w} =~ ^[[:space:]]*([Yy]([Ee][Ss])?|[Oo][Nn]|1|[Tt]([Rr][Uu][Ee])?)[[:space:]]*$ ]]`);
    case 'length':
    case 'count':
      if (d.k === 'str') return { k: 'int', w: `$(printf '%s' ${d.w} | wc -m)` };
      if (d.k === 'lines') return { k: 'int', w: `$(printf '%s' ${d.w} | grep -c '' || true)` };
      return fail(`filter "length" needs a string or lines, got a ${d.k === 'int' ? 'number' : 'boolean'}`);
    case 'lower':
    case 'upper':
      if (d.k !== 'str' && d.k !== 'lines') return fail(`filter "${name}" needs a string`);
      return { k: d.k, w: `"$(printf '%s' ${d.w} | tr '[:${name === 'lower' ? 'upper' : 'lower'}:]' '[:${name}:]')"` };
    case 'string':
      if (d.k === 'int') return { k: 'str', w: `"${d.w}"` };
      if (d.k === 'str' || d.k === 'lines') return { k: 'str', w: d.w };
      return fail('filter "string" cannot be applied to a condition');
    default:
      return fail(`filter "${name}" is not supported on registered results`);
  }
}

import { J2Error } from './values.js';

/** Python `re` patterns and replacements as JS RegExp (the common subset roles use). */
export function pyRegex(pattern: string, flags: string, multiline: boolean, ignorecase: boolean, pos: number): RegExp {
  let p = pattern
    .replace(/\(\?P<(\w+)>/g, '(?<$1>')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '$(?![\\s\\S])');
  if (/\(\?[aiLmsux]+\)/.test(p)) {
    const m = /^\(\?([aiLmsux]+)\)/.exec(p);
    if (!m) throw new J2Error('inline regex flags are only supported at the start of the pattern', pos);
    if (m[1].includes('i')) ignorecase = true;
    if (m[1].includes('m')) multiline = true;
    if (m[1].includes('s')) flags += 's';
    p = p.slice(m[0].length);
  }
  try {
    return new RegExp(p, flags + (multiline ? 'm' : '') + (ignorecase ? 'i' : '') + 'u');
  } catch (e) {
    try {
      return new RegExp(p, flags + (multiline ? 'm' : '') + (ignorecase ? 'i' : ''));
    } catch {
      throw new J2Error(`invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`, pos);
    }
  }
}

/** Python replacement `\1`, `\g<1>`, `\g<name>` -> a JS replacer function (no `$` surprises). */
export function pyReplacement(repl: string): (m: string, ...rest: unknown[]) => string {
  return (...args: unknown[]) => {
    const last = args[args.length - 1];
    const hasGroups = typeof last === 'object' && last !== null;
    const groups = (hasGroups ? last : {}) as Record<string, string | undefined>;
    const nums = args.slice(0, hasGroups ? -3 : -2) as (string | undefined)[];
    return repl.replace(
      /\\g<(\w+)>|\\(\d{1,2})|\\([\\ntr])/g,
      (_m, g: string | undefined, n: string | undefined, esc: string | undefined) => {
        if (esc) return esc === 'n' ? '\n' : esc === 't' ? '\t' : esc === 'r' ? '\r' : '\\';
        const key = g ?? n ?? '0';
        if (/^\d+$/.test(key)) return nums[Number(key)] ?? '';
        return groups[key] ?? '';
      },
    );
  };
}

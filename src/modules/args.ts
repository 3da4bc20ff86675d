import { ModuleArgError } from './types.js';

/**
 * Small helpers shared by the file modules: schema fragments with Ansible's loose typing
 * (templated values arrive as strings: "yes", "0644"), and readers that turn arguments into
 * the exact strings the prelude functions expect.
 */

export const BOOL = { anyOf: [{ type: 'boolean' }, { enum: ['yes', 'no', 'true', 'false', 'True', 'False', 'on', 'off', '1', '0'] }] };
export const STR = { type: 'string' };
/** A whole number given as a number or as digits (templated values arrive as strings). */
export const UINT = {
  anyOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', pattern: '^[0-9]+$' },
  ],
};
/** The same, at least 1 (timeouts, ports). */
export const POS_INT = {
  anyOf: [
    { type: 'integer', minimum: 1 },
    { type: 'string', pattern: '^[0-9]+$' },
  ],
};
export const NAME_OR_ID = { type: ['string', 'integer'], minLength: 1, minimum: 0 };
/**
 * Octal as string or YAML number, or chmod's symbolic form. One `type` list, not anyOf: with the
 * planner's ajv coerceTypes, anyOf would turn the number 420 (YAML 1.1 `0644`) into the string "420".
 */
export const MODE = { type: ['string', 'integer'], minimum: 0 };

/** Ansible boolean with a default (src/bool.ts). */
export { boolOr as bool } from '../bool.js';

export function optStr(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

const SYMBOLIC = /^[ugoa]*(?:[-+=](?:[rwxXst]*|[ugo]))+(?:,[ugoa]*(?:[-+=](?:[rwxXst]*|[ugo]))+)*$/;

/**
 * A mode as the prelude wants it: '' (leave as is), 4-digit octal, or symbolic.
 * Strings: "0644", "644", "0o644" (octal digits), "u=rw,g=r,o=". Numbers: playbooks are read as
 * YAML 1.1 like Ansible, so `mode: 0644` arrives as 420 and a number is the mode's value.
 * `mode: 644` (the decimal 644 = 01204, a sticky odd mode Ansible would silently apply) is refused.
 */
export function mode(v: unknown, arg = 'mode'): string {
  if (v === undefined || v === null || v === '') return '';
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0 || v > 0o7777) throw new ModuleArgError(`mode ${v} is not a file mode: write it like '0644'`, arg);
    if (/^[0-7]{3}$/.test(String(v)) && v > 0o777) {
      throw new ModuleArgError(
        `mode ${v} is the decimal number ${v} (octal 0${v.toString(8)}), as in Ansible: write 0${v} or '0${v}'`,
        arg,
      );
    }
    return v.toString(8).padStart(4, '0');
  }
  const s = String(v).trim();
  if (/^(0o?)?[0-7]{3,4}$/.test(s))
    return s
      .replace(/^0o/, '')
      .replace(/^0(?=[0-7]{3,4}$)/, '')
      .padStart(4, '0');
  if (SYMBOLIC.test(s)) return s;
  throw new ModuleArgError(`mode "${s}" is neither octal (like '0644') nor symbolic (like 'u=rw,g=r,o=')`, arg);
}

/** Owner or group name/id; refuses what chown would misread (a leading '-', ':' or spaces). */
export function principal(v: unknown, arg: string): string {
  const s = optStr(v);
  if (s === '') return '';
  if (s.startsWith('-') || /[:\s]/.test(s)) throw new ModuleArgError(`${arg} "${s}" is not a valid user or group name`, arg);
  return s;
}

/** The first of several aliases that is set (path/dest/name). */
export function pick(args: Record<string, unknown>, names: string[]): { name: string; value: unknown } | undefined {
  for (const n of names) if (args[n] !== undefined && args[n] !== null) return { name: n, value: args[n] };
  return undefined;
}

/** An absolute path argument (remote paths are not resolved against any working directory). */
export function absPath(v: unknown, arg: string): string {
  const s = optStr(v);
  if (s === '') throw new ModuleArgError(`${arg} is required`, arg);
  if (!s.startsWith('/')) throw new ModuleArgError(`${arg} "${s}" must be an absolute path (starting with /)`, arg);
  if (s.includes('\n')) throw new ModuleArgError(`${arg} cannot contain a newline`, arg);
  return s;
}

/** Path argument under any of its alias names; error names the first alias. */
export function pathArg(args: Record<string, unknown>, names: string[]): string {
  const p = pick(args, names);
  if (!p) throw new ModuleArgError(`${names[0]} is required`, names[0]);
  return absPath(p.value, p.name);
}

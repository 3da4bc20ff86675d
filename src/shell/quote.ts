/**
 * The ONE function through which every value reaches bash.
 *
 * Single quotes make bash take every byte literally except the single quote itself, which
 * is closed, escaped and reopened ('\''). The result is always a single word, whatever the
 * input holds: $(), backticks, newlines, globs, leading dashes, unicode.
 * NUL bytes cannot exist in a bash word at all, so they are refused rather than silently dropped.
 */
export function quote(value: string | number | boolean): string {
  const s = String(value);
  if (s.includes('\0')) throw new Error('a value passed to bash cannot contain a NUL byte');
  if (s !== '' && /^[A-Za-z0-9_/.,:@%+-]+$/.test(s) && !s.startsWith('-')) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Several values as separate bash words. */
export function quoteAll(values: Array<string | number | boolean>): string {
  return values.map(quote).join(' ');
}

/** Bytes for a script: base64 is inert in bash and survives any content, binary included. */
export function b64(content: string | Buffer): string {
  return (typeof content === 'string' ? Buffer.from(content, 'utf8') : content).toString('base64');
}

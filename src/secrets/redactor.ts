import { quote } from '../shell/quote.js';

/**
 * Replaces every known secret by ******** in text shown to users or written to records.
 *
 * Secrets are matched as plain substrings, longest first, so a secret that contains another
 * one is hidden whole. Empty strings are ignored (they would match everywhere).
 * Risk, documented on purpose: a 1-3 character secret is still redacted, which also masks
 * every unrelated occurrence of those characters in the output (a password "a" turns every
 * "a" into ********). Output stays safe but becomes hard to read; use longer secrets.
 */
export const MASK = '********';

export interface RedactorOptions {
  /**
   * Also hide the base64 forms of each secret (of 6+ bytes), at the 3 possible byte
   * alignments inside a larger base64 blob: the generated script carries file contents as
   * base64 (`chom-play render`, records with diff_b64/out_b64). Masking breaks that blob for
   * decoding, so use it for text shown to people, not for data decoded later.
   */
  base64?: boolean;
}

export class Redactor {
  private readonly added = new Set<string>();
  private readonly secrets = new Set<string>();
  private pattern: RegExp | undefined;
  /** Every form, base64 at any alignment included: what `mentions` looks for. */
  private readonly traces = new Set<string>();
  private tracePattern: RegExp | undefined;

  constructor(private readonly options: RedactorOptions = {}) {}

  add(secret: string): void {
    if (typeof secret !== 'string' || secret === '' || this.added.has(secret)) return;
    this.added.add(secret);
    this.secrets.add(secret);
    if (this.options.base64) for (const v of base64Forms(secret)) this.secrets.add(v);
    // A secret usually also reaches output with its trailing newline removed or inside a
    // line of a multi-line value; the whole value is what we match, and also its trimmed
    // form when it differs (a value ending in "\n" is printed without it by most tools).
    const trimmed = secret.trim();
    if (trimmed !== '' && trimmed !== secret) this.secrets.add(trimmed);
    for (const v of derivedForms(trimmed || secret)) this.secrets.add(v);
    for (const v of this.secrets) this.traces.add(v);
    for (const v of base64Forms(secret)) this.traces.add(v);
    this.pattern = undefined;
    this.tracePattern = undefined;
  }

  /**
   * Whether text carries a secret in any form, inside base64 blobs too: a task whose script
   * body holds one writes a file with secret content (its diff must not show old lines, which
   * may hold a rotated secret no longer known as one).
   */
  mentions(text: string): boolean {
    if (this.traces.size === 0 || text === '') return false;
    this.tracePattern ??= new RegExp(
      [...this.traces]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|'),
    );
    return this.tracePattern.test(text);
  }

  /** Number of distinct secrets added (their derived forms not counted). */
  get size(): number {
    return this.added.size;
  }

  redact(text: string): string {
    if (this.secrets.size === 0 || text === '') return text;
    this.pattern ??= new RegExp(
      [...this.secrets]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|'),
      'g',
    );
    return text.replace(this.pattern, MASK);
  }

  /** A copy of v with every string (values and keys) redacted; non-string leaves are kept. */
  redactDeep<T>(v: T): T {
    return this.walk(v, new WeakMap()) as T;
  }

  private walk(v: unknown, seen: WeakMap<object, unknown>): unknown {
    if (typeof v === 'string') return this.redact(v);
    if (v === null || typeof v !== 'object') return v;
    if (seen.has(v)) return seen.get(v);
    if (Buffer.isBuffer(v)) return v;
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      seen.set(v, out);
      for (const x of v) out.push(this.walk(x, seen));
      return out;
    }
    if (v instanceof Map) {
      const out = new Map<unknown, unknown>();
      seen.set(v, out);
      for (const [k, x] of v) out.set(this.walk(k, seen), this.walk(x, seen));
      return out;
    }
    if (v instanceof Error) {
      const e = new Error(this.redact(v.message));
      e.name = v.name;
      return e;
    }
    const out: Record<string, unknown> = {};
    seen.set(v, out);
    for (const [k, x] of Object.entries(v)) out[this.redact(k)] = this.walk(x, seen);
    return out;
  }
}

/**
 * What template helpers and filters turn a secret into, so that `{{ x | b64encode }}` or
 * `{{upper x}}` is hidden like x itself: case changes, base64 (standard and URL-safe, with and
 * without padding), hex, JSON string escaping, URL encoding, shell quoting. Only for secrets of
 * 4+ characters: forms of a shorter one would mask too much unrelated text.
 */
export function derivedForms(secret: string): string[] {
  if (secret.length < 4) return [];
  const b = Buffer.from(secret, 'utf8');
  const b64 = b.toString('base64');
  const forms = [
    secret.toUpperCase(),
    secret.toLowerCase(),
    secret.charAt(0).toUpperCase() + secret.slice(1).toLowerCase(),
    b64,
    b64.replace(/=+$/, ''),
    b.toString('base64url'),
    b.toString('hex'),
    b.toString('hex').toUpperCase(),
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%20/g, '+'),
    quote(secret),
  ];
  return [...new Set(forms)].filter((f) => f !== secret && f.length >= 4);
}

/**
 * The base64 characters that depend only on the secret's bytes, for the secret starting at
 * byte offset 0, 1 or 2 of a 3-byte group. Character i covers bits [6i, 6i+6).
 */
export function base64Forms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  if (bytes.length < 6) return [];
  const out: string[] = [];
  for (let k = 0; k < 3; k++) {
    const enc = Buffer.concat([Buffer.alloc(k), bytes, Buffer.alloc(3)]).toString('base64');
    const first = Math.ceil((8 * k) / 6);
    const last = Math.floor((8 * (k + bytes.length)) / 6); // exclusive
    if (last - first >= 4) out.push(enc.slice(first, last));
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

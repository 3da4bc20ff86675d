import type { SourceLoc } from './types.js';

export type { SourceLoc } from './types.js';

export function formatLoc(loc: SourceLoc | undefined): string {
  if (!loc) return '';
  return `${loc.file}:${loc.line}:${loc.col}`;
}

/** Base class: every error the CLI knows how to print without a stack trace. */
export class ChomError extends Error {
  /** Process exit code the CLI uses for this error. */
  exitCode = 1;
}

/**
 * Bad input: playbook, role, inventory, template, variables, command line.
 * Always raised before any host is touched. Exit code 1.
 */
export class InputError extends ChomError {
  constructor(
    message: string,
    readonly loc?: SourceLoc,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'InputError';
  }

  override toString(): string {
    const where = this.loc ? `${formatLoc(this.loc)}: ` : '';
    return `${where}${this.message}${this.hint ? `\n  hint: ${this.hint}` : ''}`;
  }
}

/** Something went wrong on (or on the way to) one host. Never stops the other hosts. */
export class HostError extends ChomError {
  constructor(
    readonly host: string,
    message: string,
    readonly kind: 'unreachable' | 'failed' = 'failed',
  ) {
    super(`${host}: ${message}`);
    this.name = 'HostError';
    this.exitCode = kind === 'unreachable' ? 4 : 2;
  }
}

/** The lab (disposable test hosts) could not do what was asked. */
export class LabError extends ChomError {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'LabError';
  }

  override toString(): string {
    return `lab: ${this.message}${this.hint ? `\n  fix: ${this.hint}` : ''}`;
  }
}

/**
 * "did you mean" for misspelt keys and module names: Damerau-Levenshtein distance (a swap of
 * two neighbours counts once: nmae -> name) within about a third of the word, or a name the
 * word is a clear prefix of (memory -> memory_mb).
 */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDist = Infinity;
  let prefix: string | undefined;
  for (const c of candidates) {
    const lc = c.toLowerCase();
    const d = distance(w, lc);
    if (d < bestDist) {
      bestDist = d;
      best = c;
    }
    if (!prefix && w.length >= 3 && lc.startsWith(w)) prefix = c;
  }
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  if (best !== undefined && bestDist <= limit) return best;
  return prefix;
}

/** Optimal string alignment distance (Levenshtein + adjacent transpositions). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** Where a thing was written: shown to users as file:line:col. Lines and columns are 1-based. */
export interface SourceLoc {
  file: string;
  line: number;
  col: number;
}

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
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'LabError';
  }

  override toString(): string {
    return `lab: ${this.message}${this.hint ? `\n  fix: ${this.hint}` : ''}`;
  }
}

/** "did you mean" for misspelt keys and module names (Levenshtein distance <= 2 or prefix). */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDist) {
      bestDist = d;
      best = c;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  return bestDist <= limit ? best : undefined;
}

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

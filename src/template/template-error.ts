/**
 * An error raised while rendering, located inside the template text (1-based line/col).
 * The render entry points turn it into an InputError at the right file:line.
 */
export class TemplateError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly col?: number,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** The part of Handlebars' helper options we use (`loc` is passed at runtime but not typed). */
export interface HelperOpts {
  hash: Record<string, unknown>;
  data?: Record<string, unknown> & { root?: unknown };
  loc?: { start: { line: number; column: number } };
  fn?: unknown;
}

export function errAt(opts: HelperOpts | undefined, message: string, hint?: string): TemplateError {
  const s = opts?.loc?.start;
  return new TemplateError(message, s?.line, s === undefined ? undefined : s.column + 1, hint);
}

export function isHelperOpts(v: unknown): v is HelperOpts {
  return typeof v === 'object' && v !== null && 'hash' in v && 'data' in v;
}

/**
 * Paths whose metadata a task reads, so the script reads them all with one `stat` at its start
 * (chom__prefetch in prelude/files.sh) instead of one per task. Only a hint: a path left out is
 * read when needed, and the cache is dropped as soon as a task changes anything.
 * Until modules declare their path arguments (the argument-spec layer), the file-managing
 * modules are named here.
 */
const PATH_ARGS: Record<string, readonly string[]> = {
  file: ['path', 'dest', 'name'],
  copy: ['dest'],
  template: ['dest'],
  lineinfile: ['path', 'dest', 'destfile', 'name'],
  blockinfile: ['path', 'dest', 'destfile', 'name'],
  replace: ['path', 'dest', 'destfile', 'name'],
};

/** One name per path, as the prelude spells it (chom__norm): no doubled or trailing slashes. */
export function normPath(p: string): string {
  let s = p.replace(/\/{2,}/g, '/');
  while (s.length > 1 && s.endsWith('/')) s = s.slice(0, -1);
  return s;
}

/** Modules whose wanted content the controller knows (chom_put_b64): their file is hashed at the start too. */
const CONTENT_MODULES: ReadonlySet<string> = new Set(['copy', 'template']);

/** What a task's script needs read at the start: its paths' metadata, and content hashes. */
export function prefetchHints(module: string, args: Record<string, unknown>): { paths?: string[]; hashPaths?: string[] } {
  const paths = managedPaths(module, args);
  if (!paths) return {};
  return CONTENT_MODULES.has(module) ? { paths, hashPaths: paths } : { paths };
}

export function managedPaths(module: string, args: Record<string, unknown>): string[] | undefined {
  const keys = PATH_ARGS[module];
  if (!keys) return undefined;
  for (const k of keys) {
    const v = args[k];
    // Absolute, single-line paths only: anything else is left to the task itself.
    if (typeof v === 'string' && v.startsWith('/') && !/[\n\r\t]/.test(v)) return [normPath(v)];
  }
  return undefined;
}

import { suggest } from '../errors.js';

/**
 * suggest() from src/errors.ts, plus two misspellings it misses: two swapped letters
 * (`nmae` -> `name`, distance 2 in plain Levenshtein) and a cut-short name (`memory` -> `memory_mb`).
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  const s = suggest(word, list);
  if (s) return s;
  const w = word.toLowerCase();
  const swapped = list.find((c) => c.length === w.length && isAdjacentSwap(w, c.toLowerCase()));
  if (swapped) return swapped;
  if (w.length >= 3) {
    const pre = list.filter((c) => c.toLowerCase().startsWith(w) || w.startsWith(c.toLowerCase()));
    if (pre.length === 1) return pre[0];
  }
  return undefined;
}

function isAdjacentSwap(a: string, b: string): boolean {
  const diff: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff.push(i);
  return diff.length === 2 && diff[1] === diff[0] + 1 && a[diff[0]] === b[diff[1]] && a[diff[1]] === b[diff[0]];
}

import { suggest } from '../../errors.js';

export function suggestName(name: string, known: string[]): string | undefined {
  const g = suggest(name, known);
  return g ? `did you mean "${g}"?` : undefined;
}

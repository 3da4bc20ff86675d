/**
 * Bash source kept in TypeScript string literals. `${` cannot appear inside a JS template
 * literal without being interpolated, so the bash text writes `@{` for bash's `${` and this
 * turns it back. Use with String.raw so backslashes stay as written:
 *   bash(String.raw`echo "@{HOME}"`)  ->  echo "${HOME}"
 */
export function bash(text: string): string {
  return text.replace(/@\{/g, '${').replace(/^\n/, '');
}

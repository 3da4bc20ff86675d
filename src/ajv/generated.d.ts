// Validators generated at build time by scripts/ajv-standalone.mjs into dist/src/ajv/generated.js
// (ajv standalone code), by schema set and schema name; see precompiled.ts.
export interface Generated {
  /** ajv's generated function: (data) => boolean, with .errors set after a failure. */
  validate: ((data: unknown) => boolean) & { errors?: unknown };
  /** JSON of the schema it was generated from (see fingerprint() in precompiled.ts). */
  fingerprint: string;
}
export const generated: Partial<Record<'playbook' | 'inventory' | 'args', Record<string, Generated | undefined>>>;

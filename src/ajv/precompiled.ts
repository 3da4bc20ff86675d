/**
 * JSON Schema validators compiled at build time (issue 15: "ajv validators compiled once, at
 * build time"). scripts/ajv-standalone.mjs runs after tsc, compiles every schema of every
 * SchemaSet (playbook keywords, inventory shape, module arguments) with ajv's standalone code
 * generator and writes dist/src/ajv/generated.js; a run then looks its validators up by name and
 * neither loads ajv (~35 ms of CommonJS files) nor compiles (2-5 ms per schema, ~15 per run).
 *
 * A validator is used only if the schema it was generated from is the one asked for (same JSON):
 * after a plain `tsc` with an edited schema, for a module from a test's own registry, or for a
 * name the build did not know, the schema is compiled with ajv at run time, as before.
 */
import { createRequire } from 'node:module';
import type AjvModule from 'ajv';
import type { Options, ValidateFunction } from 'ajv';
import { generated } from './generated.js';

/** One ajv configuration and the schemas compiled with it. */
export interface SchemaSet {
  /** Key of this set in the generated module. */
  id: 'playbook' | 'inventory' | 'args';
  options: Options;
  /** Annotation keywords the schemas carry (e.g. x-expect): allowed under strict mode. */
  vocabulary?: string[];
  /** Schemas with an $id the others $ref, added to ajv before compiling. */
  shared?: object[];
}

type Ajv = InstanceType<typeof AjvModule.default>;
const fallbacks = new Map<SchemaSet['id'], Ajv>();
/** Fingerprints of the schemas asked for, computed once per schema object. */
const fingerprints = new WeakMap<object, string>();
let fallbackCompiles = 0;

/** The validator for `schema` (called `name` in its set): generated at build time, else compiled now. */
export function validatorFor(set: SchemaSet, name: string, schema: object): ValidateFunction {
  const built = generated[set.id]?.[name];
  if (built && built.fingerprint === fingerprint(set, schema)) return built.validate as unknown as ValidateFunction;
  fallbackCompiles++;
  return fallbackAjv(set).compile(schema);
}

/** How many schemas this process compiled at run time (tests: a clean build compiles none). */
export function runtimeCompiles(): number {
  return fallbackCompiles;
}

/** JSON of the schema and of the shared schemas it may $ref: what the generated code was built from. */
export function fingerprint(set: SchemaSet, schema: object): string {
  let f = fingerprints.get(schema);
  if (f === undefined) {
    f = JSON.stringify([schema, ...(set.shared ?? [])]);
    fingerprints.set(schema, f);
  }
  return f;
}

/** An ajv instance configured like the build's, for `set`. */
export function newAjv(set: SchemaSet, AjvClass: typeof AjvModule.default, extra: Options = {}): Ajv {
  const ajv = new AjvClass({ ...set.options, ...extra });
  if (set.vocabulary) ajv.addVocabulary(set.vocabulary);
  for (const s of set.shared ?? []) ajv.addSchema(s);
  return ajv;
}

function fallbackAjv(set: SchemaSet): Ajv {
  let ajv = fallbacks.get(set.id);
  if (!ajv) {
    // Loaded only here, so a run whose schemas were all generated never loads ajv. A plain
    // require (not an import) keeps it out of the bundle's start-up path too.
    const mod = createRequire(import.meta.url)('ajv') as { default: typeof AjvModule.default };
    ajv = newAjv(set, mod.default);
    fallbacks.set(set.id, ajv);
  }
  return ajv;
}

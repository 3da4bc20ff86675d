/**
 * The project's shared vocabulary: types every layer speaks. src/errors.ts and
 * src/inventory/model.ts re-export them for older imports; new code imports from here.
 */

/** Variables: a YAML mapping after loading (values are still raw: strings may hold `{{ }}`). */
export type Vars = Record<string, unknown>;

/** Where a thing was written: shown to users as file:line:col. Lines and columns are 1-based. */
export interface SourceLoc {
  file: string;
  line: number;
  col: number;
}

import { InputError, type SourceLoc } from '../errors.js';
import { isMapping } from './context.js';

/**
 * Loop keywords as written: `loop`, and the `with_*` forms public roles still use. The loader
 * only records which form and the raw terms; the planner renders them per host and turns them
 * into a list (src/plan/loops.ts), as Ansible's lookup plugins do.
 */
export const LOOP_FORMS = {
  loop: 'list',
  with_items: 'items',
  with_list: 'list',
  with_first_found: 'first_found',
  with_dict: 'dict',
  with_subelements: 'subelements',
  with_together: 'together',
  with_nested: 'nested',
  with_cartesian: 'nested',
  with_indexed_items: 'indexed_items',
  with_sequence: 'sequence',
} as const;
export type LoopForm = (typeof LOOP_FORMS)[keyof typeof LOOP_FORMS];
export const LOOP_KEYS = Object.keys(LOOP_FORMS);

export interface LoopSpec {
  /** Raw terms: a list, or a template string rendering to one. */
  loop: unknown;
  form: LoopForm;
  loopVar: string;
  label?: unknown;
  indexVar?: string;
  extended: boolean;
}

/** The loop of a task or include mapping, or undefined; checks one form only and loop_control. */
export function readLoop(e: Record<string, unknown>, prefix: string, keyLoc: (k: string) => SourceLoc): LoopSpec | undefined {
  const keys = LOOP_KEYS.filter((k) => k in e);
  if (keys.length > 1) throw new InputError(`${prefix}give one of ${keys.join(', ')}, not several`, keyLoc(keys[1]));
  if (keys.length === 0) {
    if ('loop_control' in e) throw new InputError(`${prefix}loop_control without loop`, keyLoc('loop_control'));
    return undefined;
  }
  const key = keys[0] as keyof typeof LOOP_FORMS;
  const lc = isMapping(e.loop_control) ? e.loop_control : {};
  const spec: LoopSpec = {
    loop: e[key],
    form: LOOP_FORMS[key],
    loopVar: typeof lc.loop_var === 'string' ? lc.loop_var : 'item',
    extended: lc.extended === true || lc.extended === 'yes' || lc.extended === 'true',
  };
  if (lc.label !== undefined) spec.label = lc.label;
  if (typeof lc.index_var === 'string') spec.indexVar = lc.index_var;
  return spec;
}

import { quote } from '../shell/quote.js';
import type { ModuleDef } from './types.js';

/**
 * Ansible's include_vars. Read on the controller by the planner (src/plan/include-vars.ts) once
 * the host's facts are known; the variables apply to the host's later tasks. On the host the task
 * only reports ok.
 */
const str = { type: 'string' };
const strList = { type: ['string', 'array'], items: { type: 'string' } };
const includeVars: ModuleDef = {
  name: 'include_vars',
  freeForm: 'file',
  schema: {
    type: 'object',
    properties: {
      file: str,
      dir: str,
      name: str,
      files_matching: str,
      ignore_files: strList,
      extensions: strList,
      depth: { type: ['integer', 'string'] },
      ignore_unknown_extensions: { type: ['boolean', 'string'] },
      hash_behaviour: { type: 'string', enum: ['replace'] },
    },
    additionalProperties: false,
  },
  compile: (args) => `chom_ok ${quote(`included ${String(args.file ?? args.dir ?? '')}`)}\n`,
};
export default includeVars;

import { absPath, bool, mode, principal } from './args.js';
import { PUT_PROPERTIES, putSnippet } from './copy.js';
import { ModuleArgError, type ModuleDef } from './types.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['src', 'dest'],
  properties: {
    src: { type: 'string', minLength: 1 },
    ...PUT_PROPERTIES,
  },
};

/**
 * Ansible's template with Handlebars: the planner renders `src` (a .hbs file) on the controller
 * and passes the bytes as _content_b64; on the host this is copy with optional `validate`
 * (run on the NEW content before it replaces the old file).
 */
function compile(args: Record<string, unknown>): string {
  if (typeof args._content_b64 !== 'string') throw new ModuleArgError(`template ${JSON.stringify(args.src)} was not rendered`, 'src');
  const dest = absPath(args.dest, 'dest');
  if (dest.endsWith('/')) throw new ModuleArgError('dest must be the path of the file to write, not a directory', 'dest');
  return putSnippet({
    dest,
    contentB64: args._content_b64,
    mode: mode(args.mode),
    owner: principal(args.owner, 'owner'),
    group: principal(args.group, 'group'),
    backup: bool(args.backup, false),
    force: bool(args.force, true),
    validate: args.validate === undefined ? undefined : String(args.validate),
    what: `template ${JSON.stringify(String(args.src))} -> ${JSON.stringify(dest)}`,
  });
}

const template: ModuleDef = { name: 'template', schema, compile };
export default template;

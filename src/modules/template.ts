import { inputContent, PUT_ARGS, putSnippet } from './copy.js';
import { ModuleArgError } from './types.js';
import { defineModule } from './spec.js';

/**
 * Ansible's template with Handlebars: the planner renders `src` (a .hbs file) on the controller
 * because `inputs` declares it; on the host this is copy with optional `validate` (run on the NEW
 * content before it replaces the old file).
 */
export default defineModule({
  name: 'template',
  args: {
    ...PUT_ARGS,
    src: { type: 'str', required: true },
  },
  inputs: { src: 'template' },
  compile(p, ctx) {
    if (p.dest.endsWith('/')) throw new ModuleArgError('dest must be the path of the file to write, not a directory', 'dest');
    return putSnippet({
      dest: p.dest,
      ...inputContent(ctx.inputs?.src, 'src'),
      mode: p.mode ?? '',
      owner: p.owner ?? '',
      group: p.group ?? '',
      backup: p.backup,
      force: p.force,
      validate: p.validate,
      what: `template ${JSON.stringify(p.src)} -> ${JSON.stringify(p.dest)}`,
    });
  },
});

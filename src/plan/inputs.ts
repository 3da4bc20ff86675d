import type { Vars } from '../types.js';
import type { InputKind, LocalInput } from '../modules/types.js';
import type { Task } from '../playbook/model.js';
import { renderTemplateFile } from '../template/index.js';
import { readVaultedSource } from '../vault/files.js';
import { findSourceFile } from './files.js';
import { readSource } from './staging.js';
import type { HostCompile, PlanContext } from './plan.js';

/**
 * The local files a module declared in `inputs` (template src, copy src): found as Ansible looks
 * them up, rendered or read on the controller. The module only ever sees the loaded result.
 */
export function loadInputs(
  ctx: PlanContext,
  hc: HostCompile,
  task: Task,
  decl: Readonly<Record<string, InputKind>>,
  params: Vars,
  vars: Vars,
): Record<string, LocalInput> {
  const out: Record<string, LocalInput> = {};
  for (const [arg, kind] of Object.entries(decl)) {
    const v = params[arg];
    if (typeof v !== 'string') continue;
    if (kind === 'template') {
      const path = findSourceFile('templates', v, ctx.playbook, task.role, task.loc);
      const info = { src: v, dest: typeof params.dest === 'string' ? params.dest : undefined };
      out[arg] = {
        contentB64: Buffer.from(renderTemplateFile(path, vars, displayPath(ctx, path), ctx.tmpl, info), 'utf8').toString('base64'),
      };
      continue;
    }
    const path = findSourceFile('files', v, ctx.playbook, task.role, task.loc);
    // A vaulted source is decrypted here and always inlined: never staged (in clear) on the host.
    const plain = readVaultedSource(path, displayPath(ctx, path), ctx.tmpl.secrets, task.loc);
    if (plain) {
      out[arg] = { contentB64: plain.toString('base64') };
      continue;
    }
    const f = readSource(path, (ctx.sources ??= new Map()));
    if (f.bytes) {
      out[arg] = { contentB64: f.bytes.toString('base64') };
    } else {
      const remote = `${hc.stageDir}/${f.sha256}`;
      out[arg] = { staged: { path: remote, sha256: f.sha256, size: f.size } };
      if (!hc.uploads.some((u) => u.remote === remote)) hc.uploads.push({ local: path, remote, sha256: f.sha256, size: f.size });
    }
  }
  return out;
}

function displayPath(ctx: PlanContext, path: string): string {
  return path.startsWith(ctx.playbook.baseDir + '/') ? path.slice(ctx.playbook.baseDir.length + 1) : path;
}

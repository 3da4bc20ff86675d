import { join } from 'node:path';
import { formatLoc } from '../errors.js';
import { playHosts, newRunId, runPlaybook, selectedTasks } from '../run/runner.js';
import { JsonReporter, PlainReporter, type Reporter } from '../run/report.js';
import { loadAll, type Loaded } from './load.js';

export interface RunCliOptions {
  inventory: string;
  limit?: string;
  tags: string[];
  skipTags: string[];
  extraVars: string[];
  check?: boolean;
  diff?: boolean;
  forks: number;
  envFile?: string;
  acceptNewHostKeys?: boolean;
  syntaxCheck?: boolean;
  listHosts?: boolean;
  listTasks?: boolean;
  listTags?: boolean;
  output: 'text' | 'json';
  verbose?: boolean;
  writeFacts: boolean;
}

export async function runCommand(playbookArg: string, opts: RunCliOptions): Promise<number> {
  const loaded = loadAll(playbookArg, opts);
  const out = (s: string) => void process.stdout.write(loaded.redactor.redact(s));
  if (opts.syntaxCheck) {
    out(`playbook: ${loaded.playbook.file}: syntax OK (${loaded.playbook.plays.length} plays, ${loaded.playbook.files.length} files)\n`);
    return 0;
  }
  if (opts.listHosts || opts.listTasks || opts.listTags) {
    list(loaded, opts, out);
    return 0;
  }
  const reporter: Reporter = opts.output === 'json' ? new JsonReporter(out) : new PlainReporter(out, { diff: Boolean(opts.diff), verbose: Boolean(opts.verbose) });
  for (const w of loaded.inventory.warnings ?? []) reporter.warn(w);
  const { exitCode } = await runPlaybook({
    playbook: loaded.playbook,
    inventory: loaded.inventory,
    check: Boolean(opts.check),
    diff: Boolean(opts.diff),
    forks: opts.forks,
    limit: opts.limit,
    tags: opts.tags,
    skipTags: opts.skipTags,
    extraVars: loaded.extraVars,
    env: loaded.env,
    acceptNewHostKeys: Boolean(opts.acceptNewHostKeys),
    reporter,
    redactor: loaded.redactor,
    runId: newRunId(),
    projectDir: loaded.projectDir,
    writeFacts: opts.writeFacts,
    backupDir: join(loaded.projectDir, '.chom', 'backups', 'inventory'),
  });
  return exitCode;
}

function list(loaded: Loaded, opts: RunCliOptions, out: (s: string) => void): void {
  const hosts = playHosts({ playbook: loaded.playbook, inventory: loaded.inventory, limit: opts.limit });
  const tasks = selectedTasks(loaded.playbook, opts.tags, opts.skipTags);
  out(`playbook: ${loaded.playbook.file}\n`);
  for (const play of loaded.playbook.plays) {
    out(`\n  play: ${play.name} (hosts: ${play.hosts})${play.tags.length ? ` TAGS: [${play.tags.join(', ')}]` : ''}\n`);
    if (opts.listHosts) {
      const hs = hosts.get(play) ?? [];
      out(`    hosts (${hs.length}):\n`);
      for (const h of hs) out(`      ${h}\n`);
    }
    if (opts.listTasks) {
      out('    tasks:\n');
      for (const t of tasks.get(play) ?? []) out(`      ${t.name}\t${formatLoc(t.loc)}${t.tags.length ? `\tTAGS: [${t.tags.join(', ')}]` : ''}\n`);
    }
    if (opts.listTags) {
      const all = new Set<string>();
      for (const t of play.tasks) t.tags.forEach((x) => all.add(x));
      out(`    TASK TAGS: [${[...all].sort().join(', ')}]\n`);
    }
  }
}

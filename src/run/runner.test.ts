import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlaybook } from '../playbook/index.js';
import { loadInventory } from '../inventory/load.js';
import { Redactor } from '../secrets/index.js';
import { planContext, planHostPlays, preflight, runHosts, type PlanInputs } from './runner.js';

const root = join(import.meta.dirname, '../../..');

function benchInputs(): PlanInputs & { limit?: string } {
  const dir = mkdtempSync(join(tmpdir(), 'chom-runner-'));
  const inv = join(dir, 'hosts.yml');
  writeFileSync(
    inv,
    'all:\n  hosts:\n    a: {ansible_host: 198.18.9.1, app_port: 9101}\n    b: {ansible_host: 198.18.9.2}\n    c: {ansible_host: 198.18.9.3, ansible_user: deploy}\n',
  );
  return {
    playbook: loadPlaybook(join(root, 'bench/project/bench.yml')),
    inventory: loadInventory(inv),
    extraVars: { tmpl_ext: 'hbs' },
    env: {},
    tags: [],
    skipTags: [],
    projectDir: dir,
    redactor: new Redactor(),
  };
}

test('without facts, the plan preflight compiles for a host is the one the run would compile (the run reuses it)', () => {
  const cfg = benchInputs();
  const pre = preflight(cfg);
  const { hostsByPlay, all } = runHosts(cfg);
  assert.deepEqual(all, ['a', 'b', 'c']);
  const ctx = planContext(cfg, new Map());
  for (const host of all) {
    const again = planHostPlays(ctx, hostsByPlay, host);
    cfg.playbook.plays.forEach((play, pi) => {
      const plan = pre.get(play)?.get(host);
      assert.ok(plan, `preflight kept ${host}'s plan`);
      assert.deepEqual(plan, again[pi].plan, `${host}: same tasks, become, uploads`);
    });
  }
  // Hosts' plans differ (c logs in as deploy), so the comparison above is not between copies.
  const planOf = (h: string) => JSON.stringify(pre.get(cfg.playbook.plays[0])?.get(h));
  assert.notEqual(planOf('a'), planOf('c'));
});

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Vars } from '../../src/inventory/model.js';
import { renderTemplateFile, resolveVars } from '../../src/template/index.js';
import { readYaml } from '../../src/yaml/read.js';

/**
 * The .j2 corpus: every template in templates/ is rendered by chom-play and by ansible-core's
 * template module (ONE ansible-playbook run for all of them) and must be byte-identical.
 */
const here = resolve(dirname(fileURLToPath(import.meta.url)), '../../../test/templates-corpus');
const templates = readdirSync(join(here, 'templates')).filter((f) => f.endsWith('.j2')).sort();

/** What Ansible derives from inventory.yml for web1: hostvars, groups, group_names. */
function magicVars(): Vars {
  const inv = readYaml(join(here, 'inventory.yml')).value as { all: { children: Record<string, { hosts: Record<string, Vars> }> } };
  const hostvars: Record<string, Vars> = {};
  const groups: Record<string, string[]> = { all: [], ungrouped: [] };
  for (const [g, { hosts }] of Object.entries(inv.all.children)) {
    groups[g] = Object.keys(hosts);
    for (const [h, v] of Object.entries(hosts)) {
      hostvars[h] = { ...hostvars[h], ...v };
      if (!groups.all.includes(h)) groups.all.push(h);
    }
  }
  const groupNames = Object.keys(groups).filter((g) => g !== 'all' && g !== 'ungrouped' && groups[g].includes('web1')).sort();
  return { inventory_hostname: 'web1', inventory_hostname_short: 'web1', group_names: groupNames, groups, hostvars };
}

describe('Jinja2 template corpus', () => {
  let out = '';
  let ansibleError: string | undefined;
  before(() => {
    out = mkdtempSync(join(tmpdir(), 'chom-j2-corpus-'));
    try {
      execFileSync('ansible-playbook', ['-i', join(here, 'inventory.yml'), join(here, 'render-with-ansible.yml'), '-e', `out_dir=${out}`], {
        env: { ...process.env, ANSIBLE_LOCAL_TEMP: join(out, '.ansible-tmp'), ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0', ANSIBLE_HOST_KEY_CHECKING: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (e) {
      ansibleError = String((e as { stdout?: string }).stdout ?? e).split('\n').filter((l) => /fatal|failed|ERROR/.test(l)).join('\n');
    }
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('has at least 40 templates', () => assert.ok(templates.length >= 40, `${templates.length} templates`));

  it('renders every template byte-identical to ansible-core', () => {
    const raw = readYaml(join(here, 'vars.yml')).value as Vars;
    const vars = resolveVars({ ...raw, ...magicVars() });
    const diffs: string[] = [];
    for (const t of templates) {
      const path = join(here, 'templates', t);
      let ours: string;
      try {
        ours = renderTemplateFile(path, vars, `templates/${t}`, undefined, { src: path, dest: join(out, t) });
      } catch (e) {
        diffs.push(`${t}: chom-play failed: ${(e as Error).message}`);
        continue;
      }
      let theirs: string;
      try {
        theirs = readFileSync(join(out, t), 'utf8');
      } catch {
        diffs.push(`${t}: ansible did not render it${ansibleError ? `\n${ansibleError}` : ''}`);
        continue;
      }
      if (ours !== theirs) diffs.push(`${t}: differs\n--- ansible\n${JSON.stringify(theirs)}\n--- chom-play\n${JSON.stringify(ours)}`);
    }
    assert.equal(diffs.length, 0, `${diffs.length}/${templates.length} templates differ:\n${diffs.join('\n')}`);
  });
});

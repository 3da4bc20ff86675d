import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Vars } from '../../src/inventory/model.js';
import { renderTemplateFile, resolveVars } from '../../src/template/index.js';
import { readYaml } from '../../src/yaml/read.js';

/**
 * The .j2 corpus: every template in templates/ is rendered by chom-play and by ansible-core
 * (its Templar, set up as the template action plugin does, all templates in ONE python
 * process: render_with_ansible.py) with the same variables, and must be byte-identical.
 */
const here = resolve(dirname(fileURLToPath(import.meta.url)), '../../../test/templates-corpus');
const templates = readdirSync(join(here, 'templates'))
  .filter((f) => f.endsWith('.j2'))
  .sort();

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
  const groupNames = Object.keys(groups)
    .filter((g) => g !== 'all' && g !== 'ungrouped' && groups[g].includes('web1'))
    .sort();
  return { inventory_hostname: 'web1', inventory_hostname_short: 'web1', group_names: groupNames, groups, hostvars };
}

describe('Jinja2 template corpus', () => {
  let out = '';
  let vars: Vars = {};
  before(() => {
    out = mkdtempSync(join(tmpdir(), 'chom-j2-corpus-'));
    const raw = readYaml(join(here, 'vars.yml')).value as Vars;
    vars = resolveVars({ ...raw, ...magicVars() });
    writeFileSync(join(out, 'vars.json'), JSON.stringify(vars));
    execFileSync(
      '/usr/bin/python3',
      [join(here, 'render_with_ansible.py'), join(out, 'vars.json'), out, ...templates.map((t) => join(here, 'templates', t))],
      {
        env: { ...process.env, ANSIBLE_LOCAL_TEMP: join(out, '.ansible-tmp'), ANSIBLE_NOCOLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('has at least 40 templates', () => assert.ok(templates.length >= 40, `${templates.length} templates`));

  it('renders every template byte-identical to ansible-core', () => {
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
      if (existsSync(join(out, `${t}.error`))) {
        diffs.push(`${t}: ansible failed: ${readFileSync(join(out, `${t}.error`), 'utf8')}`);
        continue;
      }
      const theirs = readFileSync(join(out, t), 'utf8');
      if (ours !== theirs) diffs.push(`${t}: differs\n--- ansible\n${JSON.stringify(theirs)}\n--- chom-play\n${JSON.stringify(ours)}`);
    }
    assert.equal(diffs.length, 0, `${diffs.length}/${templates.length} templates differ:\n${diffs.join('\n')}`);
  });
});

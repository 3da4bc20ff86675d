import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findConfigFile, resolveConfig } from './index.js';
import { parseCfg } from './ini.js';

function dirWith(cfg: string): string {
  const d = mkdtempSync(join(tmpdir(), 'chom-cfg-'));
  chmodSync(d, 0o755);
  writeFileSync(join(d, 'ansible.cfg'), cfg);
  return d;
}

describe('ansible.cfg', () => {
  it('is read like configparser: sections, = and :, comments, continuation lines', () => {
    const { sections } = parseCfg(
      '[defaults]\n# c\ninventory = hosts ; inline\nroles_path: a:\n  b\n[privilege_escalation]\nbecome=True\n',
    );
    assert.equal(sections.get('defaults')!.get('inventory')!.value, 'hosts');
    assert.equal(sections.get('defaults')!.get('roles_path')!.value, 'a:\nb');
    assert.equal(sections.get('privilege_escalation')!.get('become')!.value, 'True');
  });

  it('settings are typed, paths are relative to the config file, ANSIBLE_* wins', () => {
    const d = dirWith(
      '[defaults]\ninventory = inv/hosts,other\nremote_user = deploy\nforks = 7\nroles_path = roles:~/r\nhost_key_checking = False\n[privilege_escalation]\nbecome = yes\n',
    );
    const c = resolveConfig(d, { ANSIBLE_REMOTE_USER: 'ops' });
    assert.equal(c.file, join(d, 'ansible.cfg'));
    assert.deepEqual(c.values.inventory, [join(d, 'inv/hosts'), join(d, 'other')]);
    assert.equal(c.values.remote_user, 'ops');
    assert.equal(c.values.forks, 7);
    assert.equal(c.values.become, true);
    assert.equal(c.values.host_key_checking, false);
    assert.equal(c.values.roles_path![0], join(d, 'roles'));
  });

  it('ANSIBLE_CONFIG comes first; ./ansible.cfg in a world-writable directory is ignored', () => {
    const a = dirWith('[defaults]\nforks = 3\n');
    const b = dirWith('[defaults]\nforks = 4\n');
    assert.equal(findConfigFile(a, { ANSIBLE_CONFIG: join(b, 'ansible.cfg') }).file, join(b, 'ansible.cfg'));
    chmodSync(a, 0o777);
    const r = findConfigFile(a, {});
    assert.notEqual(r.file, join(a, 'ansible.cfg'));
    assert.match(r.notes.join('\n'), /world-writable/);
  });

  it('unknown settings are noted, settings chom-play cannot honour are errors with the line', () => {
    const d = dirWith('[defaults]\nnocows = 1\nfoo = bar\n');
    assert.match(resolveConfig(d, {}).notes.join('\n'), /:3: \[defaults\] foo is not used/);
    const bad = dirWith('[defaults]\nforks = 2\nhash_behaviour = merge\n');
    assert.throws(
      () => resolveConfig(bad, {}),
      (e: Error & { loc?: { line: number } }) => /hash_behaviour = merge/.test(e.message) && e.loc?.line === 3,
    );
    const su = dirWith('[privilege_escalation]\nbecome_method = su\n');
    assert.throws(() => resolveConfig(su, {}), /sudo/);
  });
});

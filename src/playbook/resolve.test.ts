import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { resolvePlaybookPath } from './resolve.js';
import { makeTree, removeTree } from './testkit.js';

describe('resolvePlaybookPath', () => {
  const root = makeTree({ 'playbooks/site.yml': '[]\n', 'local.yml': '[]\n', 'playbooks/db.yaml': '[]\n' });
  after(() => removeTree(root));

  it('prefers the current directory', () => {
    assert.equal(resolvePlaybookPath('local.yml', root), join(root, 'local.yml'));
  });

  it('falls back to playbooks/ and adds .yml or .yaml when no extension was typed', () => {
    assert.equal(resolvePlaybookPath('site.yml', root), join(root, 'playbooks/site.yml'));
    assert.equal(resolvePlaybookPath('site', root), join(root, 'playbooks/site.yml'));
    assert.equal(resolvePlaybookPath('db', root), join(root, 'playbooks/db.yaml'));
  });

  it('says where it looked when nothing matches', () => {
    assert.throws(
      () => resolvePlaybookPath('nope.yml', root),
      (e: unknown) => {
        assert.match(String(e), /playbook "nope.yml" not found/);
        assert.match(String(e), new RegExp(`looked for: ${join(root, 'nope.yml')}, ${join(root, 'playbooks/nope.yml')}`));
        return true;
      },
    );
  });
});

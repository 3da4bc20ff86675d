import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstFound, firstFoundList } from './first-found.js';
import { renderJinjaString } from './index.js';

const root = mkdtempSync(join(tmpdir(), 'chom-ff-'));
after(() => rmSync(root, { recursive: true, force: true }));
for (const f of ['role/vars/Debian.yml', 'role/files/motd', 'role/extra/a.conf', 'play/default.yml']) {
  mkdirSync(join(root, f, '..'), { recursive: true });
  writeFileSync(join(root, f), 'x\n');
}
const search = [join(root, 'role'), join(root, 'play')];

test('first_found tries each name in the subdir, then directly, role before playbook', () => {
  assert.deepEqual(firstFoundList(['RedHat.yml', 'Debian.yml', 'default.yml'], {}, search, 'vars'), [join(root, 'role/vars/Debian.yml')]);
  assert.deepEqual(firstFoundList([['nope.yml'], 'default.yml'], {}, search, 'vars'), [join(root, 'play/default.yml')]);
  assert.deepEqual(firstFoundList(['motd'], {}, search, 'files'), [join(root, 'role/files/motd')]);
});

test('files and paths mappings split on , ; and : as Ansible does', () => {
  assert.deepEqual(firstFoundList([{ files: 'b.conf,a.conf', paths: 'nowhere:extra' }], {}, search, 'files'), [
    join(root, 'role/extra/a.conf'),
  ]);
  assert.deepEqual(firstFoundList([], { files: ['a.conf'], paths: [join(root, 'role/extra')] }, search, 'files'), [
    join(root, 'role/extra/a.conf'),
  ]);
});

test('nothing found is an error listing the candidates, unless skip', () => {
  assert.throws(
    () => firstFoundList(['x.yml'], {}, search, 'vars'),
    (e: Error & { hint?: string }) => /no file was found/.test(e.message) && /role\/vars\/x\.yml/.test(e.hint ?? ''),
  );
  assert.deepEqual(firstFoundList([{ files: ['x.yml'], skip: true }], {}, search, 'vars'), []);
  assert.equal(firstFound(['x.yml'], { skip: true }, search, 'vars').found, undefined);
  assert.throws(() => firstFoundList([{ file: 'typo' }], {}, search, 'vars'), /unknown option "file"/);
});

test("lookup('first_found') and query() in expressions use ansible_search_path", () => {
  const vars = { ansible_search_path: search, os: 'Debian' };
  assert.equal(renderJinjaString("{{ lookup('first_found', ['nope', 'motd']) }}", vars), join(root, 'role/files/motd'));
  assert.deepEqual(renderJinjaString("{{ query('first_found', 'nope', skip=True) }}", vars), []);
  assert.equal(
    renderJinjaString("{{ lookup('first_found', {'files': [os ~ '.yml'], 'paths': ['vars']}) | basename }}", vars),
    'Debian.yml',
  );
});

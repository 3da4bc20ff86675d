import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decryptVault, encryptVault, parseEnvelope } from './format.js';
import { addVaultSecret, decryptInline, resetVault, revealedSecrets } from './keyring.js';
import { parseYaml, readYaml } from '../yaml/read.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Written by Debian's ansible-vault 2.14 (password "pw-one"): the format is fixed, so these stay valid.
const FROM_ANSIBLE_11 = `$ANSIBLE_VAULT;1.1;AES256
31343532303530646563363733306262356236613739366532663438633935373338353539356430
3865646462313730646464633034396638346363316162650a366235343131323964303061323166
36313730663435633232363263303333633334313664366636356665623165363635356637356166
3462303563333466330a653438663337636565356336613661646233633666353066633131386135
6332
`;
const FROM_ANSIBLE_12 = `$ANSIBLE_VAULT;1.2;AES256;blue
31376531363866343466333436313164626638333337613833636366313435363763633736343938
3365323765393565613638333533333438396265393836390a326332373262316165393335613665
33346232313864313432663138653534333662353539373766386433636331383830336630386237
3830386363626234360a626164633936323136666131613839353230383737373366323237366266
3664`;

describe('Ansible Vault format', () => {
  it('decrypts a file ansible-vault encrypted (1.1)', () => {
    assert.equal(decryptVault(FROM_ANSIBLE_11, 'pw-one')?.toString(), 'hello vault\n');
  });

  it('decrypts an encrypt_string value with a vault id (1.2)', () => {
    assert.equal(parseEnvelope(FROM_ANSIBLE_12).vaultId, 'blue');
    assert.equal(decryptVault(FROM_ANSIBLE_12, 'pw-one')?.toString(), 's3cret');
  });

  it('a wrong password is told apart from a damaged file (HMAC check)', () => {
    assert.equal(decryptVault(FROM_ANSIBLE_11, 'pw-two'), null);
    assert.throws(() => decryptVault(FROM_ANSIBLE_11.replace('3134', 'zz34'), 'pw-one'), /not hexadecimal/);
  });

  it('encrypts to 80-column hex lines and back, with and without a vault id', () => {
    const t = encryptVault('a: 1\n'.repeat(40), 'pw');
    assert.match(t, /^\$ANSIBLE_VAULT;1\.1;AES256\n([0-9a-f]{80}\n)+[0-9a-f]{1,80}\n$/);
    assert.equal(decryptVault(t, 'pw')?.toString(), 'a: 1\n'.repeat(40));
    const t2 = encryptVault('x', 'pw', 'prod');
    assert.match(t2, /^\$ANSIBLE_VAULT;1\.2;AES256;prod\n/);
    assert.equal(decryptVault(t2, 'pw')?.toString(), 'x');
  });

  it('the same text encrypts differently each time (random salt)', () => {
    assert.notEqual(encryptVault('x', 'pw'), encryptVault('x', 'pw'));
  });
});

describe('vault values in YAML', () => {
  it('an inline !vault value is decrypted while reading and becomes a secret', () => {
    resetVault();
    addVaultSecret('blue', 'pw-one');
    const body = FROM_ANSIBLE_12.split('\n')
      .map((l) => `  ${l}`)
      .join('\n');
    const y = parseYaml(`user: app\npassword: !vault |\n${body}\n`, 'v.yml');
    assert.deepEqual(y.value, { user: 'app', password: 's3cret' });
    assert.deepEqual(revealedSecrets(), ['s3cret']);
  });

  it('without a password the error says which flags give one', () => {
    resetVault();
    assert.throws(() => decryptInline(FROM_ANSIBLE_12, { file: 'v.yml', line: 2, col: 11 }), /no vault password was given/);
  });

  it('a password for another vault id is still tried (as Ansible by default)', () => {
    resetVault();
    addVaultSecret('red', 'nope');
    addVaultSecret('green', 'pw-one');
    assert.equal(decryptInline(FROM_ANSIBLE_12, { file: 'v.yml', line: 1, col: 1 }), 's3cret');
    resetVault();
  });

  it('a vault-encrypted vars file reads as plain YAML; its strings of 4+ characters become secrets', () => {
    resetVault();
    addVaultSecret('default', 'pw');
    const f = join(mkdtempSync(join(tmpdir(), 'chom-vf-')), 'vars.yml');
    writeFileSync(f, encryptVault('db_password: hunter22\nenabled: "on"\nport: 3306\nusers: [alice-admin]\n', 'pw'));
    assert.deepEqual(readYaml(f).value, { db_password: 'hunter22', enabled: 'on', port: 3306, users: ['alice-admin'] });
    assert.deepEqual(revealedSecrets().sort(), ['alice-admin', 'hunter22']);
    resetVault();
  });
});

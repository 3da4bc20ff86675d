import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { connectionFor } from './connection.js';
import { loadInventory } from './load.js';
import type { ConnectionSpec } from './model.js';
import { cleanup, tmpInventory } from './tmpinv.js';

after(cleanup);

/** Connection spec for host h1 declared with `hostVars` (YAML flow mapping text). */
function specFor(hostVars: string, host = 'h1'): { spec: ConnectionSpec; dir: string } {
  const dir = tmpInventory({ 'hosts.yml': `all:\n  hosts:\n    ${host}: ${hostVars}\n` });
  const inv = loadInventory(dir);
  return { spec: connectionFor(inv, host, inv.hosts.get(host)!.vars), dir };
}

function errorFor(hostVars: string): InputError {
  try {
    specFor(hostVars);
  } catch (err) {
    assert.ok(err instanceof InputError);
    return err;
  }
  assert.fail('connectionFor accepted bad variables');
}

describe('connectionFor', () => {
  it('defaults: ssh to the inventory name, port 22, current user, ~/.ssh/known_hosts, 10 s, no become', () => {
    const { spec } = specFor('{}');
    assert.deepEqual(spec, {
      host: 'h1', address: 'h1', port: 22, user: userInfo().username, connection: 'ssh',
      knownHostsFile: join(homedir(), '.ssh', 'known_hosts'), become: false, connectTimeoutMs: 10_000,
    });
  });

  it('uses the Ansible connection variables', () => {
    const { spec, dir } = specFor('{ansible_host: 10.1.2.3, ansible_port: "2222", ansible_user: deploy, ansible_become: yes, ansible_password: s3cret, ansible_timeout: 3, ansible_ssh_private_key_file: keys/id_ed25519, chom_known_hosts_file: kh}');
    assert.deepEqual(spec, {
      host: 'h1', address: '10.1.2.3', port: 2222, user: 'deploy', connection: 'ssh', become: true, password: 's3cret',
      connectTimeoutMs: 3000, privateKeyFile: join(dir, 'keys/id_ed25519'), knownHostsFile: join(dir, 'kh'),
    });
  });

  it('accepts the old ansible_ssh_* spellings', () => {
    const { spec } = specFor('{ansible_ssh_host: a.example, ansible_ssh_port: 2200, ansible_ssh_user: u, ansible_ssh_pass: p}');
    assert.deepEqual([spec.address, spec.port, spec.user, spec.password], ['a.example', 2200, 'u', 'p']);
  });

  it('expands ~ in the key file and keeps absolute paths', () => {
    assert.equal(specFor('{ansible_ssh_private_key_file: ~/.ssh/id_rsa}').spec.privateKeyFile, join(homedir(), '.ssh/id_rsa'));
    assert.equal(specFor('{ansible_ssh_private_key_file: /etc/key}').spec.privateKeyFile, '/etc/key');
  });

  it('maps smart and paramiko to ssh, and local to local', () => {
    assert.equal(specFor('{ansible_connection: smart}').spec.connection, 'ssh');
    assert.equal(specFor('{ansible_connection: paramiko}').spec.connection, 'ssh');
    assert.equal(specFor('{ansible_connection: local}').spec.connection, 'local');
  });

  it('localhost without ansible_connection is local; with ssh it is ssh', () => {
    assert.equal(specFor('{}', 'localhost').spec.connection, 'local');
    assert.equal(specFor('{ansible_connection: ssh}', 'localhost').spec.connection, 'ssh');
  });

  it('an unsupported connection is an InputError pointing at the variable', () => {
    const e = errorFor('{ansible_connection: docker}');
    assert.match(e.message, /host "h1": ansible_connection is "docker", expected "ssh" or "local"/);
    assert.equal(e.loc?.line, 3);
    assert.equal(e.loc?.col, 10);
  });

  it('a bad port, timeout or become value is an InputError', () => {
    assert.match(errorFor('{ansible_port: 70000}').message, /ansible_port is 70000, expected a port number/);
    assert.match(errorFor('{ansible_port: ssh}').message, /ansible_port is "ssh"/);
    assert.match(errorFor('{ansible_timeout: 0}').message, /ansible_timeout is 0, expected a number of seconds/);
    assert.match(errorFor('{ansible_become: maybe}').message, /ansible_become is "maybe", expected true or false/);
  });

  it('uses the final vars it is given, not only the inventory', () => {
    const dir = tmpInventory({ 'hosts.yml': 'all:\n  hosts:\n    h1: {ansible_user: a, ansible_port: 99999}\n' });
    const inv = loadInventory(dir);
    assert.equal(connectionFor(inv, 'h1', { ansible_user: 'from-play' }).user, 'from-play');
    // The bad port came from somewhere else than the inventory, so the error does not point into it.
    assert.throws(() => connectionFor(inv, 'h1', { ansible_port: 'x' }), (e: unknown) => e instanceof InputError && e.loc === undefined);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import ufw from './ufw.js';
import { compileWith, syntaxError } from '../../test/system-modules/harness.js';

// The firewall runs for real in test/e2e/site.test.ts (lab hosts: own network namespace each).

test('ufw compiles to valid bash for every state, policy and rule form', () => {
  const cases: Array<Record<string, unknown>> = [
    { state: 'enabled' },
    { state: 'disabled' },
    { state: 'reset' },
    { state: 'reloaded' },
    { policy: 'deny', direction: 'incoming', logging: 'on' },
    { rule: 'allow', port: '8000:8100', proto: 'tcp', from_ip: '10.0.0.0/8', comment: 'app range' },
    { rule: 'limit', port: 22, proto: 'tcp', direction: 'in', interface: 'eth0', log: true },
    { rule: 'deny', port: 22, delete: true },
    { rule: 'reject', to_ip: '2001:db8::/32', insert: 1 },
    { rule: 'allow', name: 'OpenSSH' },
    { rule: 'allow', route: true, from_ip: '10.0.0.0/8', to_ip: '10.1.0.0/16' },
  ];
  for (const c of cases) assert.equal(syntaxError(compileWith(ufw, c)), '', JSON.stringify(c));
});

test('ufw builds the rule in ufw full syntax and guards state: enabled', () => {
  const body = compileWith(ufw, { rule: 'allow', port: 443, proto: 'tcp', from_ip: '192.0.2.0/24', comment: 'web', insert: 2 });
  assert.match(body, /needed insert 2 allow proto tcp from 192\.0\.2\.0\/24 to any port 443 comment web;/);
  const en = compileWith(ufw, { state: 'enabled', confirm_timeout: 30 });
  assert.match(en, /secs=30; note=""; guarded=yes/);
  assert.ok(en.indexOf('ssh_guard') < en.indexOf('act "enable ufw"'), 'SSH is allowed before enabling');
});

test('ufw refuses what makes no sense', () => {
  assert.throws(() => compileWith(ufw, {}), /at least one/);
  assert.throws(() => compileWith(ufw, { rule: 'allow', port: '1000:2000' }), /need proto: tcp or udp/);
  assert.throws(() => compileWith(ufw, { rule: 'allow', name: 'OpenSSH', port: 22 }), /application profile/);
  assert.throws(() => compileWith(ufw, { delete: true, state: 'enabled' }), /give rule too/);
});

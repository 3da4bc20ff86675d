import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redactor } from '../secrets/index.js';
import { redactArgv } from './audit.js';
import { listRunIds, loadRunRecord, pruneRuns, resumableRun, runsDir, writeRunRecord, type RunRecord } from './history.js';

function rec(id: string, status: RunRecord['status'], pid = process.pid): RunRecord {
  return {
    version: 1,
    id,
    status,
    pid,
    user: 'u',
    machine: 'm',
    startedAt: '2026-01-01T00:00:00Z',
    check: false,
    projectDir: '/p',
    playbook: { file: '/p/site.yml', sha256: 'x' },
    files: [],
    inventory: { path: 'inv', files: [] },
    argv: [],
    hosts: {},
    facts: {},
  };
}

test('only the newest 50 run records are kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hist-'));
  for (let i = 0; i < 53; i++) writeRunRecord(dir, rec(`20260101T0000${String(i).padStart(2, '0')}Z-aaaaaa`, 'ok'));
  const dropped = pruneRuns(dir);
  assert.equal(dropped.length, 3);
  assert.equal(listRunIds(dir).length, 50);
  assert.equal(listRunIds(dir)[0], '20260101T000003Z-aaaaaa');
  assert.deepEqual(
    readdirSync(runsDir(dir)).filter((f) => f.endsWith('.tmp')),
    [],
  );
});

test('a "running" record whose controller died reads as interrupted and can be resumed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hist-'));
  writeRunRecord(dir, rec('20260101T000000Z-aaaaaa', 'ok'));
  writeRunRecord(dir, rec('20260101T000001Z-bbbbbb', 'running', 2 ** 22 + 12345));
  assert.equal(loadRunRecord(dir, '20260101T000001Z-bbbbbb')?.status, 'interrupted');
  const r = resumableRun(dir, '/p/site.yml');
  assert.equal(typeof r === 'string' ? r : r.id, '20260101T000001Z-bbbbbb');
  writeRunRecord(dir, rec('20260101T000002Z-cccccc', 'ok'));
  assert.match(String(resumableRun(dir, '/p/site.yml')), /succeeded: nothing to resume/);
  assert.match(String(resumableRun(dir, '/p/other.yml')), /no earlier run/);
});

test('the recorded command line hides .env secrets and secret-looking -e values', () => {
  const r = new Redactor();
  r.add('hunter22');
  assert.deepEqual(redactArgv(['site.yml', '-e', 'db_password=abc user=bob', '-e', 'x=hunter22', '--extra-vars=api_token=t'], r), [
    'site.yml',
    '-e',
    'db_password=******** user=bob',
    '-e',
    'x=********',
    '--extra-vars=api_token=********',
  ]);
});

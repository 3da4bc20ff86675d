/**
 * Data-driven module cases: test/modules/<module>/<case>.yml holds
 *   args:   module arguments (%ROOT% = the throwaway tree the case runs in)
 *   before: tree before the run   { rel/path: "content" | {content, mode, owner, group} | {dir: true} | {link: target} }
 *   after:  what must hold after  (same form; null = must be absent)
 *   status: changed | ok | failed       msg: substring of the task message (optional)
 *   check_status: status expected in check mode when it differs (e.g. validate is skipped there)
 *   diff:   substring of the --diff output (optional)
 *   registered: values the module returns (what `register` holds), checked key by key (optional)
 *   compile_error: substring of the argument error the module must raise (nothing runs)
 *   run: false + body: [substrings]  for modules that change the machine outside a directory tree
 *           (users, packages, services, firewall, network): the case checks the compiled bash only;
 *           the lab e2e tests (test/e2e/system-modules.test.ts) run them for real.
 * Each case: check mode on `before` gives the status and leaves the tree byte-identical; the real
 * run gives the status and `after`; a second run reports ok (a failed run must leave `after`).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule from 'ajv';
import { parse } from 'yaml';
import { getModule } from '../../src/modules/index.js';
import { ModuleArgError } from '../../src/modules/types.js';
import { decodeReturns } from '../../src/modules/returns.js';
import { checkTree, hashTree, isRoot, materialize, REPO, runTasks, sandbox, task, withRoot, type TreeSpec } from './harness.js';

const Ajv = AjvModule.default;
const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strict: false, coerceTypes: true });

interface Case {
  args: Record<string, unknown>;
  inputs?: Record<string, string>;
  before?: TreeSpec;
  after?: TreeSpec;
  status: 'changed' | 'ok' | 'failed';
  check_status?: 'changed' | 'ok' | 'failed';
  msg?: string;
  diff?: string;
  compile_error?: string;
  run?: false;
  body?: string[];
  registered?: Record<string, unknown>;
}

const casesDir = join(REPO, 'test', 'modules');
const modules = readdirSync(casesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

for (const modName of modules) {
  describe(`module ${modName}`, () => {
    const files = readdirSync(join(casesDir, modName))
      .filter((f) => f.endsWith('.yml'))
      .sort();
    for (const f of files) {
      // YAML 1.1 like the playbook loader (and Ansible): `mode: 0644` is the number 420.
      const c = parse(readFileSync(join(casesDir, modName, f), 'utf8'), { version: '1.1' }) as Case;
      const ctx = (inputs: Record<string, string> = {}) => ({
        taskId: 1,
        taskName: f,
        loc: { file: f, line: 1, col: 1 },
        inputs: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, { contentB64: v }])),
      });
      if (c.compile_error !== undefined || c.run === false) {
        it(`${f.replace(/\.yml$/, '')}: ${c.compile_error !== undefined ? `refused (${c.compile_error})` : 'compiles to the expected commands'}`, () => {
          const mod = getModule(modName);
          assert.ok(mod, `no module ${modName}`);
          const args = structuredClone(c.args);
          if (c.compile_error !== undefined) {
            assert.throws(
              () => mod.compile(args, ctx(c.inputs)),
              (e: unknown) => e instanceof ModuleArgError && e.message.includes(c.compile_error ?? ''),
            );
            return;
          }
          const validate = ajv.compile(mod.schema);
          assert.ok(validate(args), `schema rejects the case's args: ${ajv.errorsText(validate.errors)}`);
          const body = mod.compile(args, ctx(c.inputs));
          for (const want of c.body ?? []) assert.ok(body.includes(want), `body lacks ${JSON.stringify(want)}:\n${body}`);
        });
        continue;
      }
      it(
        `${f.replace(/\.yml$/, '')}: ${c.status}${c.msg ? ` (${c.msg})` : ''}, check mode predicts it, second run ok`,
        { skip: isRoot ? false : 'needs root (chown, backups)' },
        () => {
          const mod = getModule(modName);
          assert.ok(mod, `no module ${modName}`);
          const sb = sandbox();
          try {
            const args = withRoot(structuredClone(c.args), sb.root);
            const validate = ajv.compile(mod.schema);
            assert.ok(validate(args), `schema rejects the case's args: ${ajv.errorsText(validate.errors)}`);
            const body = mod.compile(args, ctx(c.inputs));
            materialize(sb.root, c.before ?? {});
            const before = hashTree(sb.root);

            const chk = runTasks(sb, [task(1, body)], { check: true, diff: true });
            assert.equal(chk.tasks[0]?.status, c.check_status ?? c.status, `check mode: ${JSON.stringify(chk.tasks[0])}\n${chk.stderr}`);
            assert.equal(hashTree(sb.root), before, 'check mode changed the tree');
            assert.ok(
              !existsSync(join(sb.state, 'backups')) && !existsSync(join(sb.state, 'journal')),
              'check mode wrote backups or a journal',
            );

            const run = runTasks(sb, [task(1, body, c.registered ? { register: 'r' } : {})], { diff: true });
            const ev = run.tasks[0];
            assert.equal(ev?.status, c.status, `run: ${JSON.stringify(ev)}\n${run.stderr}`);
            if (c.msg) assert.ok(ev.msg.includes(c.msg), `message "${ev.msg}" lacks "${c.msg}"`);
            if (c.diff) assert.ok(ev.diff.includes(c.diff), `diff lacks "${c.diff}":\n${ev.diff}`);
            if (c.registered) assertSubset(decodeReturns(ev.ret ?? ''), withRoot(c.registered, sb.root), 'registered');
            assert.deepEqual(checkTree(sb.root, withRoot(c.after ?? {}, sb.root)), []);
            if (c.status === 'failed') {
              assert.equal(hashTree(sb.root), before, 'a failed task changed the tree');
              return;
            }
            const again = runTasks(sb, [task(1, body)]);
            assert.equal(again.tasks[0]?.status, 'ok', `second run: ${JSON.stringify(again.tasks[0])}`);
            assert.ok(again.tasks[0].msg !== '', 'an ok task says why nothing changed');
          } finally {
            sb.cleanup();
          }
        },
      );
    }
  });
}

/** Every key of `want` holds the same value in `got` (dictionaries key by key, lists item by item; null = must be absent, "<null>" = must be null). */
function assertSubset(got: unknown, want: unknown, at: string): void {
  if (want !== null && typeof want === 'object' && !Array.isArray(want)) {
    assert.ok(got !== null && typeof got === 'object', `${at}: not a dictionary: ${JSON.stringify(got)}`);
    for (const [k, v] of Object.entries(want)) {
      const g: unknown = (got as Record<string, unknown>)[k];
      if (v === null) assert.equal(g, undefined, `${at}.${k} must be absent, got ${JSON.stringify(g)}`);
      else if (v === '<null>') assert.equal(g, null, `${at}.${k} must be null`);
      else assertSubset(g, v, `${at}.${k}`);
    }
    return;
  }
  if (Array.isArray(want)) {
    assert.ok(Array.isArray(got) && got.length === want.length, `${at}: want ${want.length} items, got ${JSON.stringify(got)}`);
    want.forEach((w, i) => assertSubset((got as unknown[])[i], w, `${at}[${i}]`));
    return;
  }
  assert.deepEqual(got, want, `${at}`);
}

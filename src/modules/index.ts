import type { ModuleDef } from './types.js';
import file from './file.js';
import copy from './copy.js';
import template from './template.js';
import lineinfile from './lineinfile.js';
import blockinfile from './blockinfile.js';
import user from './user.js';
import group from './group.js';
import apt from './apt.js';
import systemd from './systemd.js';
import command from './command.js';
import shell from './shell.js';
import getUrl from './get_url.js';
import waitFor from './wait_for.js';
import uri from './uri.js';
import ufw from './ufw.js';
import { mysqlDb, mysqlUser } from './mysql_index.js';
import fail from './fail.js';
import debug from './debug.js';
import assert from './assert.js';
import pkg from './package.js';
import setup from './setup.js';
import replace from './replace.js';
import hostname from './hostname.js';
import timezone from './timezone.js';
import cron from './cron.js';
import sysctl from './sysctl.js';
import setFact from './set_fact.js';
import includeVars from './include_vars.js';
import stat from './stat.js';
import find from './find.js';
import getent from './getent.js';

/** Every module chom-play knows, by canonical name and alias. Each file exports one ModuleDef as default. */
const ALL: ModuleDef[] = [
  file,
  copy,
  template,
  lineinfile,
  blockinfile,
  user,
  group,
  apt,
  systemd,
  command,
  shell,
  getUrl,
  waitFor,
  uri,
  ufw,
  mysqlDb,
  mysqlUser,
  fail,
  debug,
  assert,
  pkg,
  setup,
  replace,
  hostname,
  timezone,
  cron,
  sysctl,
  setFact,
  includeVars,
  stat,
  find,
  getent,
];

const byName = new Map<string, ModuleDef>();
for (const m of ALL) {
  byName.set(m.name, m);
  for (const a of m.aliases ?? []) byName.set(a, m);
}

/** Accepts `copy`, `ansible.builtin.copy` and `ansible.legacy.copy`. */
export function getModule(name: string): ModuleDef | undefined {
  return byName.get(name.replace(/^ansible\.(builtin|legacy)\./, ''));
}

export function moduleNames(): string[] {
  return [...byName.keys()];
}

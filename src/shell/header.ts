import { encodeEvent } from './event-table.js';
import { quote } from './quote.js';

/**
 * The opening of every script the controller sends (run and rollback alike): shebang, a
 * comment saying what it is and how it is run, shell options, the run-level settings, and the
 * start event line. One builder, so both kinds speak the same protocol.
 */
export interface HeaderSpec {
  /** "script" for a play, "rollback" for `chom-play rollback`. */
  kind: 'script' | 'rollback';
  host: string;
  /** The id the host records this script under (lock, journal, stop and heartbeat files). */
  runId: string;
  /** The run id the start event names (a rollback names the run it undoes; default runId). */
  startRunId?: string;
  marker: string;
  check: boolean;
  diff: boolean;
  /** Who runs it and from which machine: recorded in the host's run lock. */
  user?: string;
  machine?: string;
  /** How the controller runs it (login user, `sudo -n` or not; see plan's runAsLine), when known. */
  runAs?: string;
  /** Further run-level settings, in order: NAME=value lines after the common ones. */
  settings?: Array<[string, string | number]>;
}

const SETTING_RE = /^CHOM_[A-Z0-9_]+$/;

/** One line of text (lock records are line-based). */
export function oneLine(s: string | undefined): string {
  return (s ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ');
}

/** Text safe inside a bash comment: one line, no control characters. */
export function commentText(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
}

/** Header lines, ending with a blank line; the prelude follows. */
export function scriptHeader(spec: HeaderSpec): string[] {
  if (!/^[A-Za-z0-9_-]{8,}$/.test(spec.marker)) throw new Error('the event marker must be 8+ characters of [A-Za-z0-9_-]');
  const title =
    spec.kind === 'script'
      ? `chom-play script for host ${commentText(spec.host)}, run ${commentText(spec.runId)}`
      : `chom-play rollback for host ${commentText(spec.host)}`;
  const L = [
    '#!/usr/bin/env bash',
    `# ${title}${spec.check ? ' (check mode: changes nothing)' : ''}`,
    ...(spec.runAs !== undefined ? [`# runs as: ${commentText(spec.runAs)}`] : []),
    '# Events go to stdout as lines starting with CHOM_MARKER; task output is captured, never printed.',
    'set -euo pipefail',
    'umask 022',
    'export LC_ALL=C.UTF-8',
    `CHOM_HOST=${quote(spec.host)}`,
    `CHOM_RUN_ID=${quote(spec.runId)}`,
    `CHOM_MARKER=${quote(spec.marker)}`,
    `CHOM_CHECK=${spec.check ? 1 : 0}`,
    `CHOM_DIFF=${spec.diff ? 1 : 0}`,
    `CHOM_USER=${quote(oneLine(spec.user))}`,
    `CHOM_MACHINE=${quote(oneLine(spec.machine))}`,
  ];
  for (const [name, value] of spec.settings ?? []) {
    if (!SETTING_RE.test(name)) throw new Error(`bad script setting name ${name}`);
    L.push(`${name}=${typeof value === 'number' ? String(value) : quote(value)}`);
  }
  L.push('');
  return L;
}

/** The start event the script's main function emits first (bash: `chom__emit <this>`). */
export function startEventLine(spec: HeaderSpec): string {
  return `chom__emit ${quote(encodeEvent('start', { host: spec.host, runId: spec.startRunId ?? spec.runId, check: spec.check, diff: spec.diff }))}`;
}

import { scriptHeader, startEventLine, type HeaderSpec } from '../shell/header.js';
import { PRELUDE } from '../shell/prelude.js';
import { LOCKED_EXIT } from '../shell/script.js';

/** What one host's rollback script needs. */
export interface RollbackSpec {
  host: string;
  /** Id of this rollback (recorded in the host's run lock while it runs). */
  rollbackId: string;
  /** Random per-script prefix of event lines. */
  marker: string;
  /** The run to undo; undefined = the latest journal on the host. */
  runId?: string;
  check: boolean;
  /** Also purge packages the run installed (`--rollback-packages`). */
  rollbackPackages: boolean;
  user?: string;
  machine?: string;
  /** How the controller runs it (login user, sudo -n or not), when known: one header line. */
  runAs?: string;
}

export const RUN_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * One round trip per host: the script takes the host's run lock, picks the journal (the given
 * run, or the latest one), replays it newest first (chom__replay in shell/prelude/undo.sh) and marks
 * it rolled back. Events: start, rollback, undo..., rollback_end (or locked / abort / warn).
 * A latest run that was already rolled back is not replayed again, and an older run is never
 * picked silently: `--run ID` names it.
 */
export function buildRollbackScript(spec: RollbackSpec): string {
  if (spec.runId !== undefined && !RUN_ID_RE.test(spec.runId)) throw new Error(`invalid run id "${spec.runId}"`);
  const header: HeaderSpec = {
    kind: 'rollback',
    host: spec.host,
    runId: spec.rollbackId,
    startRunId: spec.runId ?? '',
    marker: spec.marker,
    check: spec.check,
    diff: false,
    user: spec.user,
    machine: spec.machine,
    runAs: spec.runAs,
    settings: [
      ['CHOM_ROLLBACK_PACKAGES', spec.rollbackPackages ? 1 : 0],
      ['CHOM_TARGET_RUN', spec.runId ?? ''],
    ],
  };
  return [
    ...scriptHeader(header),
    PRELUDE,
    '# ---- rollback ----',
    String.raw`chom_rollback_main() {
  local dir j name runs
  chom__init
  chom__now; CHOM_T0=$CHOM_NOW
  ${startEventLine(header)}
  chom__lock || { CHOM_EXIT=${LOCKED_EXIT}; return 0; }
  dir=$(chom__parent "$CHOM_JOURNAL")
  runs=$(ls -1 "$dir" 2>/dev/null | sed -n 's/\.jsonl$//p' | sort | tail -n 5 | paste -sd, - || true)
  if [ -n "$CHOM_TARGET_RUN" ]; then
    j="$dir/$CHOM_TARGET_RUN.jsonl"
    if [ ! -f "$j" ]; then
      chom__abort not-found "$CHOM_HOST: no journal of run $CHOM_TARGET_RUN in $dir (latest runs that changed this host: $${'{'}runs:-none})"
      CHOM_EXIT=2; return 0
    fi
  else
    j=$(ls -1 "$dir"/*.jsonl 2>/dev/null | sort | tail -n 1 || true)
    if [ -z "$j" ]; then chom__warn "nothing to roll back: no run has changed this host (no journal in $dir)"; return 0; fi
  fi
  name=$(basename "$j" .jsonl)
  if [ -f "$dir/$name.rolled-back" ]; then
    chom__warn "nothing to roll back: run $name was already rolled back ($(sed -n 's/^time=//p' "$dir/$name.rolled-back") by $(sed -n 's/^user=//p' "$dir/$name.rolled-back")); give --run ID to undo an older run"
    return 0
  fi
  if chom__replay "$j"; then chom__mark_rolled_back "$j" "chom-play rollback"; else CHOM_EXIT=2; fi
}
chom_rollback_main "$@"; exit "$CHOM_EXIT"
`,
  ].join('\n');
}

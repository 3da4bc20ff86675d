/**
 * Why a host or a task failed, in one vocabulary shared by the host script (chom__classify and
 * chom__abort in src/shell/prelude/safety.sh emit these names), the connection layer
 * (run/conn-errors.ts) and the reporters (run/report.ts, run records, `chom-play history`).
 * One advice table says what the operator should do about each class.
 */
export const FAILURE_CLASSES = [
  // Decided on the host, from a failed task's exit status and output.
  'timeout',
  'disk-full',
  'package-lock',
  'permission-denied',
  'download',
  'not-found',
  // The host's run lock is held by another run.
  'lock-held',
  // Decided on the controller, from a connection error.
  'host-key',
  'auth',
  'connect-timeout',
  'refused',
  'reset',
  'unreachable',
  'connection-lost',
  // The host stopped at a task boundary: the controller's heartbeat went silent.
  'controller-silent',
  'other',
] as const;

export type FailureClass = (typeof FAILURE_CLASSES)[number];

const KNOWN: ReadonlySet<string> = new Set(FAILURE_CLASSES);

export function isFailureClass(v: unknown): v is FailureClass {
  return typeof v === 'string' && KNOWN.has(v);
}

/** What to do about each class: reporters print it under the failure ('' = nothing useful to add). */
export const FAILURE_ADVICE: Readonly<Record<FailureClass, string>> = {
  timeout: 'the task and every process it started were killed; raise timeout: (or --task-timeout) if it is just slow, else find what hangs',
  'disk-full':
    'free space on the host (apt-get clean, old logs, /var/backups/chom-play), then rerun with --resume; a file being replaced keeps its previous content',
  'package-lock': 'another apt/dpkg (unattended-upgrades?) holds the package-manager lock; let it finish, then rerun',
  'permission-denied': 'run with become (sudo) or fix the owner/mode of the path',
  download: 'check the host can reach the mirror or URL (proxy, DNS), then rerun',
  'not-found': 'a command, file, package or unit the task needs is missing; install or create it first, or check the name',
  'lock-held': 'another run holds this host; wait for it to finish, or check the holder named above',
  'host-key': 'verify the host key fingerprint out of band, then fix known_hosts (never retried)',
  auth: 'check ansible_user and the key (ansible_ssh_private_key_file or ssh-agent); never retried',
  'connect-timeout': 'check the host is up and port 22 is not filtered; raise ansible_timeout for slow links',
  refused: 'start sshd on the host or fix ansible_port',
  reset: 'the host or a firewall dropped the connection; check sshd MaxStartups and the network, then rerun',
  unreachable: 'check ansible_host, DNS and the route to the host, then rerun with --resume',
  'connection-lost':
    'the host finished its current task and stopped at the task boundary; rerun with --resume (or rerun: the playbook converges)',
  'controller-silent': 'the host heard nothing from the controller and stopped at a task boundary; rerun with --resume',
  other: '',
};

/** The advice line for a class, or undefined when there is none (unknown or 'other'). */
export function adviceFor(cls: string | undefined): string | undefined {
  return isFailureClass(cls) && FAILURE_ADVICE[cls] !== '' ? FAILURE_ADVICE[cls] : undefined;
}

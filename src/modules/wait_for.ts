import { UINT } from './args.js';
import { quote } from '../shell/quote.js';
import { ModuleArgError, type ModuleDef } from './types.js';

const NUM = { anyOf: [{ type: 'number', minimum: 0 }, { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?$' }] };

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['port'],
  properties: {
    host: { type: 'string', minLength: 1 },
    port: { anyOf: [{ type: 'integer', minimum: 1, maximum: 65535 }, { type: 'string', pattern: '^[0-9]+$' }] },
    state: { enum: ['started', 'stopped', 'present', 'absent', 'open', 'closed'] },
    timeout: UINT,
    delay: UINT,
    sleep: NUM,
    connect_timeout: UINT,
    msg: { type: 'string' },
  },
};

/**
 * Ansible's wait_for for TCP ports: waits (bounded) until host:port accepts connections
 * (state started/present/open) or refuses them (stopped/absent/closed). Probes with bash's
 * /dev/tcp under `timeout`, so the host needs no nc. It only reads, so check mode runs the
 * probe once: a port that is not open yet is reported as "would wait", never as a failure
 * (in a dry run the service an earlier task would install is not there).
 */
function compile(args: Record<string, unknown>): string {
  const port = Number(args.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ModuleArgError(`port ${String(args.port)} is not a TCP port (1-65535)`, 'port');
  const host = String(args.host ?? '127.0.0.1');
  if (!/^[A-Za-z0-9_.:-]+$/.test(host) || host.startsWith('-')) throw new ModuleArgError(`host ${JSON.stringify(host)} is not a host name or address`, 'host');
  const state = String(args.state ?? 'started');
  const open = ['started', 'present', 'open'].includes(state);
  const timeout = args.timeout === undefined ? 300 : Number(args.timeout);
  const delay = args.delay === undefined ? 0 : Number(args.delay);
  const sleep = args.sleep === undefined ? 1 : Number(args.sleep);
  const connectTimeout = args.connect_timeout === undefined ? 5 : Number(args.connect_timeout);
  const want = open ? 'open' : 'closed';
  const msg = args.msg === undefined ? '' : String(args.msg);
  return [
    `# wait_for ${host}:${port} ${want}`,
    `host=${quote(host)}; port=${quote(port)}; timeout=${quote(timeout)}; delay=${quote(delay)}; pause=${quote(sleep)}; ct=${quote(connectTimeout)}; want=${want}; umsg=${quote(msg)}`,
    // A subshell per probe so the descriptor is closed right away; `timeout` bounds a SYN into a DROP rule.
    'probe() { timeout "$ct" bash -c \'exec 3<>"/dev/tcp/$1/$2"\' _ "$host" "$port" 2>/dev/null; }',
    'is_want() { if probe; then [ "$want" = open ]; else [ "$want" = closed ]; fi; }',
    'if chom_check; then',
    '  if is_want; then chom_ok "port $host:$port is $want"; else chom_ok "check mode: would wait up to ${timeout}s for $host:$port to be $want (it is not now)"; fi',
    '  return 0',
    'fi',
    '[ "$delay" -gt 0 ] && sleep "$delay"',
    'start=$SECONDS; deadline=$(( SECONDS + timeout ))',
    'while ! is_want; do',
    '  if [ "$SECONDS" -ge "$deadline" ]; then chom_fail "${umsg:-port $host:$port was not $want after ${timeout}s}"; fi',
    '  sleep "$pause"',
    'done',
    'chom_ok "port $host:$port is $want (waited $(( SECONDS - start ))s)"',
    '',
  ].join('\n');
}

const waitFor: ModuleDef = { name: 'wait_for', schema, compile };
export default waitFor;

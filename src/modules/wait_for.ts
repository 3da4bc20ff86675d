import { quote } from '../shell/quote.js';
import { defineModule, type Params } from './spec.js';
import { ModuleArgError } from './types.js';

/**
 * Ansible's wait_for for TCP ports: waits (bounded) until host:port accepts connections
 * (state started/present/open) or refuses them (stopped/absent/closed). Probes with bash's
 * /dev/tcp under `timeout`, so the host needs no nc. It only reads, so check mode runs the
 * probe once: a port that is not open yet is reported as "would wait", never as a failure
 * (in a dry run the service an earlier task would install is not there).
 */
const args = {
  host: { type: 'str', default: '127.0.0.1' },
  port: { type: 'int', required: true },
  state: { type: 'str', default: 'started', choices: ['started', 'stopped', 'present', 'absent', 'open', 'closed'] },
  timeout: { type: 'int', default: 300 },
  delay: { type: 'int', default: 0 },
  // Seconds between probes; fractions allowed (sleep 0.5), so a string checked below.
  sleep: { type: 'str', default: '1' },
  connect_timeout: { type: 'int', default: 5 },
  msg: { type: 'str', default: '' },
} as const;

function compile(p: Params<typeof args>): string {
  const { port, host, timeout, delay, msg } = p;
  if (port < 1 || port > 65535) throw new ModuleArgError(`port ${port} is not a TCP port (1-65535)`, 'port');
  if (!/^[A-Za-z0-9_.:-]+$/.test(host) || host.startsWith('-'))
    throw new ModuleArgError(`host ${JSON.stringify(host)} is not a host name or address`, 'host');
  if (!/^[0-9]+(\.[0-9]+)?$/.test(p.sleep))
    throw new ModuleArgError(`sleep ${JSON.stringify(p.sleep)} is not a number of seconds`, 'sleep');
  const sleep = Number(p.sleep);
  const connectTimeout = p.connect_timeout;
  const open = ['started', 'present', 'open'].includes(p.state);
  const want = open ? 'open' : 'closed';
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

export default defineModule({ name: 'wait_for', args, compile });

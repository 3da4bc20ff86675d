import { quote } from '../shell/quote.js';
import { defineModule, type Params } from './spec.js';
import { ModuleArgError } from './types.js';

const args = {
  url: { type: 'str', required: true },
  method: { type: 'str', default: 'GET', choices: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] },
  status_code: { type: 'list', default: ['200'] },
  return_content: { type: 'bool', default: false },
  body: { type: 'str' },
  /** A mapping of header name to value (checked below). */
  headers: { type: 'raw' },
  url_username: { type: 'str' },
  url_password: { type: 'str', default: '' },
  force_basic_auth: { type: 'bool', default: false },
  validate_certs: { type: 'bool', default: true },
  follow_redirects: { type: 'str', default: 'safe', choices: ['all', 'none', 'safe', 'yes', 'no', 'true', 'false'] },
  /** Seconds one request may take (Ansible's timeout, default 30). */
  timeout: { type: 'int', default: 30 },
  /** chom-play: the response body must contain this text. */
  body_contains: { type: 'str', default: '' },
  /** chom-play: extra attempts after a failed one (default 0), spaced by `delay`, doubling up to 8 s. */
  retries: { type: 'int', default: 0 },
  delay: { type: 'int', default: 1 },
  /** chom-play: keep retrying (with backoff) until this many seconds passed; implies retries. */
  wait_timeout: { type: 'int', default: 0 },
} as const;

function headerEntries(v: unknown): Array<[string, string]> {
  if (v === undefined || v === null) return [];
  if (typeof v !== 'object' || Array.isArray(v)) throw new ModuleArgError('headers must be a mapping of header name to value', 'headers');
  return Object.entries(v).map(([k, x]) => [k, String(x)]);
}

/**
 * An HTTP(S) request from the host with curl (Ansible's uri): succeeds when the status is one
 * of status_code and, with body_contains, the body holds that text. Health checks retry with
 * exponential backoff (retries / wait_timeout), so "the unit is active" becomes "the service
 * answers". Only GET/HEAD are read-only: other methods report changed, as in Ansible.
 * Check mode makes one attempt with a read-only method and never fails on it (the service may
 * be one an earlier task would install); other methods are not sent at all.
 */
function compile(p: Params<typeof args>): string {
  const url = p.url;
  if (!/^https?:\/\/[^\s]+$/.test(url)) throw new ModuleArgError(`url ${JSON.stringify(url)} must start with http:// or https://`, 'url');
  const { method, retries } = p;
  const want = p.status_code;
  for (const c of want)
    if (!/^[1-5][0-9][0-9]$/.test(c))
      throw new ModuleArgError(`status_code ${JSON.stringify(c)} is not an HTTP status (100-599)`, 'status_code');
  const waitTimeout = p.wait_timeout;
  const delay = Math.max(1, p.delay);
  const timeout = Math.max(1, p.timeout);
  const follow = p.follow_redirects;
  const curl: string[] = ['-sS', '-o', '"$body"', '-w', "'%{http_code}'", '--max-time', '"$rt"', '-X', quote(method)];
  if (method === 'HEAD') curl.push('-I');
  if (!['none', 'no', 'false'].includes(follow)) curl.push('-L', '--max-redirs', '10');
  if (!p.validate_certs) curl.push('-k');
  for (const [k, v] of headerEntries(p.headers)) {
    if (/[\r\n:]/.test(k) || /[\r\n]/.test(v))
      throw new ModuleArgError(`header ${JSON.stringify(k)} has a newline or colon in it`, 'headers');
    curl.push('-H', quote(`${k}: ${v}`));
  }
  if (p.body !== undefined) curl.push('--data-binary', '@"$reqbody"');
  const user = p.url_username;
  if (user !== undefined && /["\\\n]/.test(user + p.url_password)) {
    throw new ModuleArgError('url_username/url_password cannot hold ", \\ or a newline', 'url_password');
  }
  // The credentials travel in a curl config on stdin, never on curl's command line (ps shows that).
  const auth = user === undefined ? '' : `user = "${user}:${p.url_password}"`;
  const readOnly = method === 'GET' || method === 'HEAD';
  return [
    `# uri ${method} ${url}`,
    `url=${quote(url)}; rt=${quote(timeout)}; retries=${quote(retries)}; wait=${quote(waitTimeout)}; pause=${quote(delay)}`,
    `want=(${want.map(quote).join(' ')}); needle=${quote(p.body_contains)}; auth=${quote(auth)}; ret=${p.return_content ? 1 : 0}`,
    'body=$(chom_tmpfile); errf=$(chom_tmpfile)',
    p.body === undefined ? ':' : `reqbody=$(chom_tmpfile); chom_b64d ${quote(Buffer.from(p.body).toString('base64'))} >"$reqbody"`,
    'if ! command -v curl >/dev/null 2>&1; then',
    '  if chom_check; then chom_skip "check mode: not run (curl is not installed yet); would request $url"; return 0; fi',
    '  chom_fail "curl is not installed on this host: the uri module needs it (apt: name=curl)"',
    'fi',
    // One request: sets code and why (empty when the answer is what we want).
    'attempt() {',
    `  code=$(curl -K - ${curl.join(' ')} -- "$url" <<<"$auth" 2>"$errf") || true`,
    '  why=""',
    '  if [ "$code" = 000 ] || [ -z "$code" ]; then why="no HTTP answer ($(head -c 300 "$errf" | tr "\\n" " "))"; return 1; fi',
    '  local c ok=no; for c in "${want[@]}"; do [ "$c" = "$code" ] && ok=yes; done',
    '  [ $ok = yes ] || { why="status $code, expected ${want[*]}"; return 1; }',
    '  if [ -n "$needle" ] && ! grep -qF -- "$needle" "$body"; then why="status $code but the body does not contain \\"$needle\\""; return 1; fi',
    '}',
    'if chom_check; then',
    // As Ansible (uri has no check mode): skipped; a health check of what --check only predicts proves nothing.
    `  chom_skip "check mode: not run; would ${readOnly ? 'check' : `send ${method}`} $url"`,
    '  return 0',
    'fi',
    'start=$SECONDS; n=0',
    'until attempt; do',
    '  n=$((n + 1))',
    '  if [ "$wait" -gt 0 ]; then [ $(( SECONDS - start + pause )) -le "$wait" ] || chom_fail "$url: $why (gave up after $(( SECONDS - start ))s, $n attempts)"',
    '  elif [ "$n" -gt "$retries" ]; then chom_fail "$url: $why$( [ "$n" -gt 1 ] && echo " (after $n attempts)")"; fi',
    '  sleep "$pause"; pause=$(( pause * 2 > 8 ? 8 : pause * 2 ))',
    'done',
    '[ "$ret" = 1 ] && cat "$body"',
    readOnly
      ? 'chom_ok "$url answered $code$( [ "$n" -gt 0 ] && echo " after $((n + 1)) attempts")"'
      : `chom_changed "${method} $url answered $code"`,
    '',
  ].join('\n');
}

export default defineModule({ name: 'uri', args, compile });

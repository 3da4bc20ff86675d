import { quote } from '../shell/quote.js';
import { BOOL, bool, UINT } from './args.js';
import { ModuleArgError, type ModuleDef } from './types.js';

const CODE = { anyOf: [{ type: 'integer', minimum: 100, maximum: 599 }, { type: 'string', pattern: '^[1-5][0-9][0-9]$' }] };

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: { type: 'string', minLength: 1 },
    method: { enum: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] },
    status_code: { anyOf: [CODE, { type: 'array', items: CODE, minItems: 1 }] },
    return_content: BOOL,
    body: { type: 'string' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    url_username: { type: 'string' },
    url_password: { type: 'string' },
    force_basic_auth: BOOL,
    validate_certs: BOOL,
    follow_redirects: { enum: ['all', 'none', 'safe', 'yes', 'no', true, false] },
    /** Seconds one request may take (Ansible's timeout, default 30). */
    timeout: UINT,
    /** chom-play: the response body must contain this text. */
    body_contains: { type: 'string', minLength: 1 },
    /** chom-play: extra attempts after a failed one (default 0), spaced by `delay`, doubling up to 8 s. */
    retries: UINT,
    delay: UINT,
    /** chom-play: keep retrying (with backoff) until this many seconds passed; implies retries. */
    wait_timeout: UINT,
  },
};

function codes(v: unknown): string[] {
  if (v === undefined) return ['200'];
  return (Array.isArray(v) ? v : [v]).map((c) => String(c));
}

/**
 * An HTTP(S) request from the host with curl (Ansible's uri): succeeds when the status is one
 * of status_code and, with body_contains, the body holds that text. Health checks retry with
 * exponential backoff (retries / wait_timeout), so "the unit is active" becomes "the service
 * answers". Only GET/HEAD are read-only: other methods report changed, as in Ansible.
 * Check mode makes one attempt with a read-only method and never fails on it (the service may
 * be one an earlier task would install); other methods are not sent at all.
 */
function compile(args: Record<string, unknown>): string {
  const url = String(args.url);
  if (!/^https?:\/\/[^\s]+$/.test(url)) throw new ModuleArgError(`url ${JSON.stringify(url)} must start with http:// or https://`, 'url');
  const method = String(args.method ?? 'GET');
  const want = codes(args.status_code);
  const retries = args.retries === undefined ? 0 : Number(args.retries);
  const waitTimeout = args.wait_timeout === undefined ? 0 : Number(args.wait_timeout);
  const delay = args.delay === undefined ? 1 : Math.max(1, Number(args.delay));
  const timeout = args.timeout === undefined ? 30 : Math.max(1, Number(args.timeout));
  const follow = args.follow_redirects === undefined ? 'safe' : String(args.follow_redirects);
  const curl: string[] = ['-sS', '-o', '"$body"', '-w', "'%{http_code}'", '--max-time', '"$rt"', '-X', quote(method)];
  if (method === 'HEAD') curl.push('-I');
  if (!['none', 'no', 'false'].includes(follow)) curl.push('-L', '--max-redirs', '10');
  if (!bool(args.validate_certs, true)) curl.push('-k');
  for (const [k, v] of Object.entries((args.headers ?? {}) as Record<string, string>)) {
    if (/[\r\n:]/.test(k) || /[\r\n]/.test(v)) throw new ModuleArgError(`header ${JSON.stringify(k)} has a newline or colon in it`, 'headers');
    curl.push('-H', quote(`${k}: ${v}`));
  }
  if (args.body !== undefined) curl.push('--data-binary', '@"$reqbody"');
  const user = args.url_username === undefined ? undefined : String(args.url_username);
  if (user !== undefined && /["\\\n]/.test(user + String(args.url_password ?? ''))) {
    throw new ModuleArgError('url_username/url_password cannot hold ", \\ or a newline', 'url_password');
  }
  // The credentials travel in a curl config on stdin, never on curl's command line (ps shows that).
  const auth = user === undefined ? '' : `user = "${user}:${String(args.url_password ?? '')}"`;
  const readOnly = method === 'GET' || method === 'HEAD';
  return [
    `# uri ${method} ${url}`,
    `url=${quote(url)}; rt=${quote(timeout)}; retries=${quote(retries)}; wait=${quote(waitTimeout)}; pause=${quote(delay)}`,
    `want=(${want.map(quote).join(' ')}); needle=${quote(String(args.body_contains ?? ''))}; auth=${quote(auth)}; ret=${bool(args.return_content, false) ? 1 : 0}`,
    'body=$(chom_tmpfile); errf=$(chom_tmpfile)',
    args.body === undefined ? ':' : `reqbody=$(chom_tmpfile); chom_b64d ${quote(Buffer.from(String(args.body)).toString('base64'))} >"$reqbody"`,
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
    readOnly ? 'chom_ok "$url answered $code$( [ "$n" -gt 0 ] && echo " after $((n + 1)) attempts")"' : `chom_changed "${method} $url answered $code"`,
    '',
  ].join('\n');
}

const uri: ModuleDef = { name: 'uri', schema, compile };
export default uri;

import { quote } from '../shell/quote.js';
import { defineModule, type Params } from './spec.js';
import { ModuleArgError } from './types.js';

const args = {
  url: { type: 'str', required: true },
  // A file path, or a directory (existing, or ending in /) that receives the URL's file name.
  dest: { type: 'str', required: true },
  checksum: { type: 'str', default: '' },
  mode: { type: 'mode' },
  owner: { type: 'id' },
  group: { type: 'id' },
  force: { type: 'bool', default: false },
  timeout: { type: 'int', min: 1, default: 10 },
  validate_certs: { type: 'bool', default: true },
  // A dict, a list of "Name: value" strings, or one comma-separated string: headerLines() reads it.
  headers: { type: 'raw' },
} as const;

const ALGOS: Record<string, number> = { sha256: 64, sha1: 40, sha512: 128, sha384: 96, sha224: 56, md5: 32 };

/** Ansible accepts a dict, or "Key: value" strings (a list, or one string with comma-separated pairs). */
function headerLines(v: unknown): string[] {
  if (v === undefined) return [];
  const lines =
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.entries(v as Record<string, string>).map(([k, val]) => `${k}: ${val}`)
      : (Array.isArray(v) ? v.map(String) : String(v).split(',')).map((s) => s.trim().replace(/^([^:]+):\s*/, '$1: '));
  for (const l of lines) {
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+: /.test(l) || /[\r\n]/.test(l))
      throw new ModuleArgError(`invalid header ${JSON.stringify(l)}: expected "Name: value"`, 'headers');
  }
  return lines;
}

// Downloads with curl (or wget) into a temp file next to dest, retrying with backoff; the temp
// file is removed on any exit, so dest is either the old file or the complete, verified new one.
const FETCH = String.raw`fetch() { # $1 = output file; prints nothing on success, the error on failure
  local try code rc
  for try in 1 2 3; do
    if command -v curl >/dev/null; then
      # timeout bounds the connect and any stall (no byte for timeout s), not the whole transfer.
      rc=0; code=$(curl -sSL -o "$1" -w '%{http_code}' --connect-timeout "$timeout" --speed-limit 1 --speed-time "$timeout" "\${curl_opts[@]}" -- "$url" 2>"$err") || rc=$?
      [ "$rc" = 0 ] && return 0
      case "$code" in 4??) echo "HTTP $code" >>"$err"; return 1 ;; 000 | "") ;; *) echo "HTTP $code" >>"$err" ;; esac
    elif command -v wget >/dev/null; then
      # wget exit 8 = the server answered with an error status.
      wget -q -O "$1" -T "$timeout" "\${wget_opts[@]}" -- "$url" 2>"$err" && return 0
    else
      echo "neither curl nor wget is installed on this host: install one of them first (apt: curl)" >"$err"; return 1
    fi
    [ "$try" -lt 3 ] && sleep "$try"
  done
  return 1
}`.replace(/\\\$\{/g, '${');

/**
 * Downloads url to dest. With a checksum, an existing dest that matches is kept without any
 * download; without one, an existing dest is kept unless force. Content, then mode/owner/group
 * are brought in line, each reported. Check mode downloads nothing and says what would happen.
 */
function compile(p: Params<typeof args>): string {
  const url = p.url;
  if (!/^(https?|ftp):\/\/[^\s]+$/.test(url))
    throw new ModuleArgError(`url must start with http://, https:// or ftp:// (got ${JSON.stringify(url)})`, 'url');
  let algo = '';
  let want = '';
  if (p.checksum !== '') {
    const m = /^([a-z0-9]+):([0-9a-fA-F]+)$/.exec(p.checksum);
    if (!m || !(m[1] in ALGOS) || m[2].length !== ALGOS[m[1]]) {
      throw new ModuleArgError(
        `checksum must look like "sha256:<64 hex digits>" (or sha1/sha512/md5), got ${JSON.stringify(p.checksum)}`,
        'checksum',
      );
    }
    [algo, want] = [m[1], m[2].toLowerCase()];
  }
  const { force, timeout } = p;
  const headers = headerLines(p.headers);
  const insecure = !p.validate_certs;
  // dest given as a directory: the file is named after the last path segment of the URL.
  const base = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '') || 'index.html';
  const mode = p.mode ?? '';
  const L: string[] = [
    `# get_url ${url} -> ${p.dest}`,
    `url=${quote(url)}; dest=${quote(p.dest)}; timeout=${quote(timeout)}`,
    `algo=${quote(algo)}; want=${quote(want)}; force=${force ? 1 : 0}`,
    `mode=${quote(mode)}; owner=${quote(p.owner ?? '')}; group=${quote(p.group ?? '')}`,
    `curl_opts=(-f${insecure ? ' -k' : ''}${headers.map((h) => ` -H ${quote(h)}`).join('')})`,
    `wget_opts=(${insecure ? '--no-check-certificate' : ''}${headers.map((h) => ` --header=${quote(h)}`).join('')})`,
    `if [ -d "$(chom_path "$dest")" ] || [[ $dest == */ ]]; then dest=\${dest%/}/${quote(base)}; fi`,
    'cur=$(chom_path "$dest")',
    'sum_of() { "${algo:-sha256}sum" -- "$1" | cut -d" " -f1; }',
    FETCH,
    'need=0; why=""',
    'if [ ! -e "$cur" ]; then need=1; why="$dest does not exist"',
    'elif [ -n "$want" ]; then got=$(sum_of "$cur"); [ "$got" = "$want" ] || { need=1; why="$dest has $algo $got, want $want"; }',
    'elif [ "$force" = 1 ]; then need=1; why="force"',
    'fi',
    'if [ "$need" = 1 ]; then',
    '  if chom_check; then chom_changed "would download $url to $dest ($why)"; return 0; fi',
    '  dir=$(dirname -- "$dest"); [ -d "$dir" ] || chom_fail "destination directory $dir does not exist"',
    // The runner removes files listed in pending when the task dies: no partial download is left.
    '  tmp=$(mktemp "$dir/.chom-get_url.XXXXXX"); printf "%s\\n" "$tmp" >>"$CHOM_T/pending"; err=$(chom_tmpfile)',
    '  fetch "$tmp" || { rm -f -- "$tmp"; chom_fail "download of $url failed: $(tail -n 3 "$err")"; }',
    '  if [ -n "$want" ]; then got=$(sum_of "$tmp"); [ "$got" = "$want" ] || { rm -f -- "$tmp"; chom_fail "checksum mismatch for $url: want $algo:$want, got $algo:$got (nothing written to $dest)"; }; fi',
    // Atomic install with backup, journal and attributes; ok when the bytes are already there.
    '  chom_put_file "$dest" "$tmp" "$mode" "$owner" "$group" 0 "downloaded $url to $dest ($(stat -c %s -- "$tmp") bytes, sha256 $(sha256sum -- "$tmp" | cut -c1-12)...)"',
    '  rm -f -- "$tmp"',
    'else',
    '  if [ -n "$want" ]; then chom_ok "$dest exists with the wanted $algo checksum"; else chom_ok "$dest exists (force: no, no checksum given)"; fi',
    '  chom_set_attrs "$dest" "$mode" "$owner" "$group"',
    'fi',
  ];
  return L.join('\n') + '\n';
}

export default defineModule({ name: 'get_url', args, compile });

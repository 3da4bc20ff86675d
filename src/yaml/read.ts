import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, isPair, type Node, type Tags } from 'yaml';
import { InputError, type SourceLoc } from '../errors.js';
import { decryptInline, decryptWithKeyring, markSecret } from '../vault/keyring.js';
import { isVaultText } from '../vault/format.js';

/** A YAML file parsed with positions: errors and later checks can say file:line:col. */
export interface YamlFile {
  file: string;
  value: unknown;
  /** Location of the node at `path` (keys and indexes), or of its nearest existing parent. */
  locOf(path: ReadonlyArray<string | number>): SourceLoc;
  /** Location of the KEY at `path` in its mapping (falls back to locOf). */
  keyLocOf(path: ReadonlyArray<string | number>): SourceLoc;
}

/** Reads and parses one YAML file; a syntax error becomes an InputError with file:line:col. */
export function readYaml(file: string, displayName = file): YamlFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read ${displayName}: ${code === 'ENOENT' ? 'no such file' : String(err)}`);
  }
  if (isVaultText(text)) {
    // A whole vault-encrypted vars file: every string in it is a secret.
    const y = parseYaml(decryptWithKeyring(text, displayName, { file: displayName, line: 1, col: 1 }).toString('utf8'), displayName);
    markLeaves(y.value);
    return y;
  }
  return parseYaml(text, displayName);
}

/**
 * PyYAML's booleans: YAML 1.1 without the single letters y/n/Y/N, which PyYAML (and so Ansible)
 * keeps as strings (`y: 1` is the key "y").
 */
const PY_TRUE = /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const PY_FALSE = /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;
function pyYamlTags(tags: Tags, file: string): Tags {
  // `key: !vault |` holds one value encrypted with Ansible Vault, decrypted as it is read.
  const vault = {
    tag: '!vault',
    resolve: (str: string): string => decryptInline(str, { file, line: 1, col: 1 }),
  };
  // Dates stay strings: a template printing `2026-01-01` should print exactly that.
  return [vault, ...tags]
    .filter((t) => !(typeof t === 'object' && 'tag' in t && t.tag === 'tag:yaml.org,2002:timestamp'))
    .map((t) => {
      if (t === vault || typeof t !== 'object' || !('tag' in t) || t.tag !== 'tag:yaml.org,2002:bool' || !('test' in t) || !t.test)
        return t;
      return { ...t, test: t.test.test('yes') ? PY_TRUE : PY_FALSE };
    });
}

/** YAML 1.1, as Ansible (PyYAML) reads it: `mode: 0644` is octal, `yes`/`no` are booleans. */
export function parseYaml(text: string, file: string): YamlFile {
  const lc = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lc,
    prettyErrors: false,
    uniqueKeys: true,
    version: '1.1',
    customTags: (tags) => pyYamlTags(tags, file),
  });
  const at = (offset: number): SourceLoc => {
    const p = lc.linePos(offset);
    return { file, line: p.line, col: p.col };
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const msg = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new InputError(`YAML syntax error: ${msg}`, at(e.pos[0]), 'fix the YAML syntax at this position (indentation, quotes, colons)');
  }
  const nodeAt = (path: ReadonlyArray<string | number>, wantKey: boolean): Node | null => {
    let node: unknown = doc.contents;
    let last: Node | null = (doc.contents as Node | null) ?? null;
    for (let i = 0; i < path.length; i++) {
      const k = path[i];
      if (isMap(node)) {
        const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(k));
        if (!pair) return last;
        if (wantKey && i === path.length - 1) return pair.key as Node;
        node = pair.value;
        if (node) last = node as Node;
        else return pair.key as Node;
      } else if (isSeq(node) && typeof k === 'number') {
        node = node.items[k];
        if (!node) return last;
        last = node as Node;
      } else {
        return last;
      }
    }
    return last;
  };
  const locFor = (n: Node | null): SourceLoc => (n && n.range ? at(n.range[0]) : { file, line: 1, col: 1 });
  return {
    file,
    value: doc.toJS({ maxAliasCount: 1000 }),
    locOf: (path) => locFor(nodeAt(path, false)),
    keyLocOf: (path) => locFor(nodeAt(path, true)),
  };
}

/**
 * Every string of a vault-encrypted file is a secret, except very short ones (`on`, `80`,
 * `web`): masking those would blank the same letters all over the output (see Redactor).
 * A value that must stay hidden however short goes inline as `!vault`.
 */
function markLeaves(v: unknown): void {
  if (typeof v === 'string') {
    if (v.trim().length >= 4) markSecret(v);
  } else if (Array.isArray(v)) v.forEach(markLeaves);
  else if (v && typeof v === 'object') Object.values(v).forEach(markLeaves);
}

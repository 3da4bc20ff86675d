import { isMap, isPair, isScalar, parseDocument, type Pair, type YAMLMap, type Node } from 'yaml';

/** The hardware summary kept in the inventory. */
export interface Specs {
  cpu: number;
  memory_mb: number;
  disk_gb: number;
  detected_at: string;
}

/**
 * Sets `specs:` for one mapping inside a YAML text by SPLICING text: every byte outside the
 * specs block (comments, key order, quoting, blank lines) stays exactly as it was. Re-dumping
 * the document would normalise formatting, which users rightly call churn.
 *
 * `path` leads to the host's mapping (e.g. ['all','hosts','web1']); [] means the document itself
 * (a host_vars file). Returns the new text.
 */
export function setSpecs(text: string, path: string[], specs: Specs): string {
  const doc = parseDocument(text, { keepSourceTokens: true });
  if (doc.errors.length) throw new Error(doc.errors[0].message);
  if (path.length === 0) {
    const root = doc.contents as Node | null;
    if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) {
      return text.replace(/\s*$/, '') === '' || /^---\s*$/.test(text.trim())
        ? `${text.trim() ? text.replace(/\s*$/, '\n') : ''}${block(specs, 0)}`
        : `${text}${block(specs, 0)}`;
    }
    if (!isMap(root)) throw new Error('the file does not hold a mapping');
    return editMap(text, root, specs);
  }
  const parentPath = path.slice(0, -1);
  const parent = doc.getIn(parentPath, true);
  if (!isMap(parent)) throw new Error(`no mapping at ${parentPath.join('.')}`);
  const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === path[path.length - 1]) as
    Pair<Node, Node | null> | undefined;
  if (!pair) throw new Error(`no entry ${path.join('.')}`);
  const value = pair.value;
  if (isMap(value)) return editMap(text, value, specs);
  // `web1:` or `web1: ~` or `web1: null`: give it a block mapping holding only specs.
  const keyNode = pair.key as Node;
  const keyStart = keyNode.range![0];
  const indent = keyStart - lineStart(text, keyStart);
  const end = value && value.range ? value.range[1] : keyNode.range![1];
  const colon = text.indexOf(':', keyNode.range![1]);
  const cut = value && value.range && value.range[1] > value.range[0] ? end : colon + 1;
  return text.slice(0, colon + 1) + '\n' + block(specs, indent + 2).replace(/\n$/, '') + text.slice(cut);
}

function editMap(text: string, map: YAMLMap, specs: Specs): string {
  const pairs = map.items as Array<Pair<Node, Node | null>>;
  const existing = pairs.find((p) => isScalar(p.key) && p.key.value === 'specs');
  if (map.flow) {
    const flowText = `specs: {cpu: ${specs.cpu}, memory_mb: ${specs.memory_mb}, disk_gb: ${specs.disk_gb}, detected_at: "${specs.detected_at}"}`;
    if (existing) {
      const s = (existing.key as Node).range![0];
      const e = existing.value?.range ? existing.value.range[1] : (existing.key as Node).range![1];
      return text.slice(0, s) + flowText + text.slice(e);
    }
    const close = map.range![1] - 1; // position of '}'
    const inner = text.slice(map.range![0] + 1, close).trim();
    return text.slice(0, close).replace(/\s*$/, '') + (inner ? ', ' : '') + flowText + text.slice(close);
  }
  const firstKey = pairs[0]?.key as Node | undefined;
  const indent = firstKey?.range ? firstKey.range[0] - lineStart(text, firstKey.range[0]) : 0;
  if (existing) {
    const s = lineStart(text, (existing.key as Node).range![0]);
    const endNode = existing.value?.range ? existing.value.range[1] : (existing.key as Node).range![1];
    const e = lineEnd(text, endNode);
    return text.slice(0, s) + block(specs, indent) + text.slice(e);
  }
  // Append after the last pair's value (before trailing comments/blank lines of the map).
  const last = pairs[pairs.length - 1];
  const lastEnd = last.value?.range ? last.value.range[1] : (last.key as Node).range![1];
  const at = lineEnd(text, lastEnd);
  const prefix = at > 0 && text[at - 1] !== '\n' ? '\n' : '';
  return text.slice(0, at) + prefix + block(specs, indent) + text.slice(at);
}

function block(specs: Specs, indent: number): string {
  const p = ' '.repeat(indent);
  return `${p}specs:\n${p}  cpu: ${specs.cpu}\n${p}  memory_mb: ${specs.memory_mb}\n${p}  disk_gb: ${specs.disk_gb}\n${p}  detected_at: "${specs.detected_at}"\n`;
}

function lineStart(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}

/** Offset just after the newline ending the line that holds `pos - 1` (a node's end offset). */
function lineEnd(text: string, pos: number): number {
  const p = pos;
  // a node's range end may sit after its trailing newline already
  if (p > 0 && text[p - 1] === '\n') return p;
  const nl = text.indexOf('\n', p);
  return nl === -1 ? text.length : nl + 1;
}

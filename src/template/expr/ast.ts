/** Parsed `when:` expression. `pos`/`end` are offsets into the source for error carets. */
export type Node =
  | { t: 'lit'; v: unknown; pos: number; end: number }
  | { t: 'list'; items: Node[]; pos: number; end: number }
  | { t: 'name'; name: string; pos: number; end: number }
  | { t: 'get'; obj: Node; key: Node; dotted: boolean; pos: number; end: number }
  | { t: 'not'; e: Node; pos: number; end: number }
  | { t: 'and' | 'or'; l: Node; r: Node; pos: number; end: number }
  | { t: 'cmp'; op: CmpOp; l: Node; r: Node; pos: number; end: number }
  | { t: 'in'; l: Node; r: Node; neg: boolean; pos: number; end: number }
  | { t: 'is'; e: Node; test: string; neg: boolean; pos: number; end: number }
  | { t: 'filter'; e: Node; name: string; args: Node[]; pos: number; end: number };

export type CmpOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

/**
 * Text of a variable path for messages: a.b[0]['c'] -> a.b[0].c; a key given by a variable
 * keeps its name (hostvars[inventory_hostname].x), so the message names the path the user wrote.
 */
export function pathText(n: Node): string | undefined {
  if (n.t === 'name') return n.name;
  if (n.t === 'get') {
    const base = pathText(n.obj);
    if (base === undefined) return undefined;
    if (n.key.t !== 'lit') {
      const key = pathText(n.key);
      return key === undefined ? undefined : `${base}[${key}]`;
    }
    return typeof n.key.v === 'number' ? `${base}[${n.key.v}]` : `${base}.${String(n.key.v)}`;
  }
  return undefined;
}

/** Jinja2 expression and statement trees. `pos` is an offset into the template source. */
export type Expr =
  | { t: 'lit'; v: unknown; pos: number }
  | { t: 'name'; name: string; pos: number }
  | { t: 'list'; items: Expr[]; pos: number }
  | { t: 'tuple'; items: Expr[]; pos: number }
  | { t: 'dict'; pairs: [Expr, Expr][]; pos: number }
  | { t: 'attr'; obj: Expr; name: string; pos: number }
  | { t: 'item'; obj: Expr; key: Expr; pos: number }
  | { t: 'slice'; obj: Expr; start?: Expr; stop?: Expr; step?: Expr; pos: number }
  | { t: 'call'; fn: Expr; args: Expr[]; kwargs: [string, Expr][]; pos: number }
  | { t: 'filter'; e: Expr | undefined; name: string; args: Expr[]; kwargs: [string, Expr][]; pos: number }
  | { t: 'test'; e: Expr; name: string; args: Expr[]; kwargs: [string, Expr][]; neg: boolean; pos: number }
  | { t: 'not'; e: Expr; pos: number }
  | { t: 'neg' | 'pos'; e: Expr; pos: number }
  | { t: 'and' | 'or'; l: Expr; r: Expr; pos: number }
  | { t: 'bin'; op: string; l: Expr; r: Expr; pos: number }
  | { t: 'cmp'; first: Expr; ops: [string, Expr][]; pos: number }
  | { t: 'cond'; test: Expr; yes: Expr; no?: Expr; pos: number };

export type Target =
  | { t: 'name'; name: string; pos: number }
  | { t: 'tuple'; items: Target[]; pos: number }
  | { t: 'ns'; ns: string; attr: string; pos: number };

export interface Param {
  name: string;
  def?: Expr;
}

export type Stmt =
  | { t: 'data'; s: string }
  | { t: 'out'; e: Expr; pos: number }
  | { t: 'if'; branches: { test: Expr; body: Stmt[] }[]; else?: Stmt[]; pos: number }
  | { t: 'for'; target: Target; iter: Expr; cond?: Expr; recursive: boolean; body: Stmt[]; else?: Stmt[]; pos: number }
  | { t: 'set'; target: Target; e: Expr; pos: number }
  | { t: 'setblock'; target: Target; filters: Expr[]; body: Stmt[]; pos: number }
  | { t: 'macro'; name: string; params: Param[]; body: Stmt[]; pos: number }
  | { t: 'call'; params: Param[]; call: Expr; body: Stmt[]; pos: number }
  | { t: 'filterblock'; filters: Expr[]; body: Stmt[]; pos: number }
  | { t: 'with'; sets: [Target, Expr][]; body: Stmt[]; pos: number }
  | { t: 'include'; e: Expr; ignoreMissing: boolean; withContext: boolean; pos: number }
  | { t: 'import'; e: Expr; as: string; withContext: boolean; pos: number }
  | { t: 'fromimport'; e: Expr; names: [string, string][]; withContext: boolean; pos: number }
  | { t: 'do'; e: Expr; pos: number }
  | { t: 'break' | 'continue'; pos: number }
  | { t: 'block'; name: string; body: Stmt[]; pos: number }
  | { t: 'extends'; e: Expr; pos: number };

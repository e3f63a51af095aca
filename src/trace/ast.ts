// The syntax tree of a .busdma trace. Every node carries its position (1-based line and
// column, as diagnostics print them).

export interface Loc {
  line: number;
  col: number;     // 1-based
  endCol: number;  // 1-based, exclusive
}

export type Expr =
  | { kind: 'num'; value: bigint; loc: Loc }
  | { kind: 'str'; value: string; loc: Loc }
  | { kind: 'name'; name: string; loc: Loc }
  | { kind: 'index'; base: string; index: Expr; loc: Loc }
  | { kind: 'field'; object: Expr; field: string; loc: Loc; fieldLoc: Loc }
  | { kind: 'unary'; op: '!' | '-' | '~'; arg: Expr; loc: Loc }
  | { kind: 'binary'; op: BinOp; left: Expr; right: Expr; loc: Loc };

export type BinOp =
  | '||' | '&&' | '|' | '^' | '&' | '==' | '!=' | '<' | '<=' | '>' | '>='
  | '<<' | '>>' | '+' | '-' | '*' | '/' | '%';

export interface BufferExpr {
  paddr: Expr;
  len: Expr;
  loc: Loc;
}

export type ArgValue =
  | { kind: 'expr'; expr: Expr }
  | { kind: 'buffers'; buffers: BufferExpr[]; list: boolean; loc: Loc };

export interface NamedArg {
  name: string;
  nameLoc: Loc;
  value: Expr;
}

export interface HandleRef {
  name: string;
  index?: Expr;
  loc: Loc;
}

export type CallName =
  | 'bus_dma_tag_create' | 'bus_dma_tag_destroy' | 'bus_dmamap_create' | 'bus_dmamap_destroy'
  | 'bus_dmamap_load' | 'bus_dmamap_unload' | 'bus_dmamap_sync' | 'busdma_thread';

export interface CallStmt {
  kind: 'call';
  loc: Loc;
  call: CallName;
  callLoc: Loc;
  target?: HandleRef;
  positional: ArgValue[];
  named: NamedArg[];
  /** The next statement of the same block is an `expect` reading errno or cb_error. */
  checked: boolean;
}

export interface RepeatStmt {
  kind: 'repeat';
  loc: Loc;
  count: Expr;
  var?: string;
  varLoc?: Loc;
  body: Stmt[];
  endLine: number;
}

export type Stmt =
  | CallStmt
  | RepeatStmt
  | { kind: 'expect'; loc: Loc; expr: Expr; message?: string; source: string }
  | { kind: 'print'; loc: Loc; expr: Expr; source: string }
  | { kind: 'log'; loc: Loc; text: string }
  | { kind: 'sysctl'; loc: Loc; prefix?: string };

export interface Program {
  file: string;
  source: string;
  machine: { maxmem?: bigint; maxmemLoc?: Loc };
  kernel?: { id: string; loc: Loc };
  body: Stmt[];
  /** What each handle name is assigned from: 'tag' or 'map' (from its create calls). */
  handleKinds: Map<string, 'tag' | 'map'>;
  /** Every statement by line, for breakpoints and the debugger. */
  lines: Map<number, Stmt>;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  severity: Severity;
  message: string;
  line: number;
  col: number;
  endCol: number;
  code?: string;
}

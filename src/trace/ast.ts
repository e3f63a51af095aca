// The syntax tree of a .busdma trace. Every node carries its position (1-based line and
// columns, as diagnostics print them).
//
// Nodes are small classes that keep line and columns as plain fields and build a `loc`
// object only when asked: a million-line trace then costs a few objects per statement, not
// a dozen, which is what keeps parsing fast and the debugger's memory low.

export interface Loc {
  line: number;
  col: number;     // 1-based
  endCol: number;  // 1-based, exclusive
}

abstract class Node {
  constructor(public line: number, public col: number, public endCol: number) {}
  get loc(): Loc {
    return { line: this.line, col: this.col, endCol: this.endCol };
  }
}

export class NumExpr extends Node {
  declare readonly kind: 'num';
  constructor(readonly value: bigint, line: number, col: number, endCol: number) { super(line, col, endCol); }
}
export class StrExpr extends Node {
  declare readonly kind: 'str';
  constructor(readonly value: string, line: number, col: number, endCol: number) { super(line, col, endCol); }
}
export class NameExpr extends Node {
  declare readonly kind: 'name';
  constructor(readonly name: string, line: number, col: number, endCol: number) { super(line, col, endCol); }
}
export class IndexExpr extends Node {
  declare readonly kind: 'index';
  constructor(readonly base: string, readonly index: Expr, line: number, col: number, endCol: number) { super(line, col, endCol); }
}
export class FieldExpr extends Node {
  declare readonly kind: 'field';
  constructor(readonly object: Expr, readonly field: string, readonly fieldCol: number, line: number, col: number, endCol: number) { super(line, col, endCol); }
  get fieldLoc(): Loc {
    return { line: this.line, col: this.fieldCol, endCol: this.endCol };
  }
}
export class UnaryExpr extends Node {
  declare readonly kind: 'unary';
  constructor(readonly op: '!' | '-' | '~', readonly arg: Expr, line: number, col: number, endCol: number) { super(line, col, endCol); }
}
export class BinaryExpr extends Node {
  declare readonly kind: 'binary';
  constructor(readonly op: BinOp, readonly left: Expr, readonly right: Expr, line: number, col: number, endCol: number) { super(line, col, endCol); }
}

export type Expr = NumExpr | StrExpr | NameExpr | IndexExpr | FieldExpr | UnaryExpr | BinaryExpr;

export type BinOp =
  | '||' | '&&' | '|' | '^' | '&' | '==' | '!=' | '<' | '<=' | '>' | '>='
  | '<<' | '>>' | '+' | '-' | '*' | '/' | '%';

export class BufferExpr extends Node {
  constructor(readonly paddr: Expr, readonly len: Expr, line: number, col: number, endCol: number) { super(line, col, endCol); }
}

/** A load's buffer argument: `PADDR:LEN` or a list `[A:L, B:L]`. */
export class BuffersArg extends Node {
  declare readonly kind: 'buffers';
  constructor(readonly buffers: BufferExpr[], readonly list: boolean, line: number, col: number, endCol: number) { super(line, col, endCol); }
}

/** A positional argument: an expression (handles are name or index expressions), or buffers. */
export type ArgValue = Expr | BuffersArg;

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

/**
 * A released plain call's arguments read straight from the parser (its kept atoms or its line),
 * with no trees: the runner reads each call of a long trace once. Valid until the parser reads
 * another line. Positional argument i of a handle slot is a name; every other value is a
 * number or a named constant (otherwise there is no CallAtoms, and the trees are read).
 */
export interface CallAtoms {
  /** Positional argument i, a handle slot: the name. */
  name(i: number): string;
  /** A number for that name, the same for the same name in one parse (small, from 0). */
  nameId(i: number): number;
  /** Positional argument i: its value; for a buffer, its address. */
  value(i: number): bigint;
  /** Positional argument i, a buffer: its length, and where the buffer is. */
  bufLen(i: number): bigint;
  bufLoc(i: number): Loc;
  /** Named argument `k`: an index for the three below, or -1 when absent. */
  namedIndex(k: string): number;
  namedValue(j: number): bigint;
  /** The value written as a name (a handle, for `parent:`), or undefined for a number. */
  namedName(j: number): string | undefined;
  namedLoc(j: number): Loc;
}

/** What rebuilds a released call's argument trees from the source (the parser that read it). */
export interface Reloader {
  reload(s: CallStmt): void;
  /** The arguments with no trees, when the call's line allows (see CallAtoms). */
  atoms?(line: number): CallAtoms | undefined;
}

/** A call's argument trees, and what rebuilds them once dropped (undefined: never dropped). */
interface CallArgs {
  positional: ArgValue[];
  named: NamedArg[];
  from: Reloader | undefined;
}

/** Every call, in one fixed order: a call's index is its number in rows and kept atoms. */
export const CALL_NAMES: readonly CallName[] = [
  'bus_dma_tag_create', 'bus_dma_tag_destroy', 'bus_dmamap_create', 'bus_dmamap_destroy',
  'bus_dmamap_load', 'bus_dmamap_unload', 'bus_dmamap_sync', 'busdma_thread',
];
const CALL_INDEX = new Map(CALL_NAMES.map((c, i) => [c, i]));

/**
 * A call statement. A million-line trace keeps a million of these, so it holds six fields: its
 * position, its target, one number for the call, `checked` and the call's column, and either
 * its argument trees or, once released, what rebuilds them.
 */
export class CallStmt extends Node {
  declare readonly kind: 'call';
  /** call index + 8 * checked + 16 * callCol (arithmetic, not bits: columns may pass 2^27). */
  private meta: number;
  private args: CallArgs | Reloader;
  constructor(
    /** The call, or its index in CALL_NAMES (the parser's rows keep indexes). */
    call: CallName | number,
    callCol: number,
    readonly target: HandleRef | undefined,
    args: { positional: ArgValue[]; named: NamedArg[] } | Reloader,
    line: number, col: number, endCol: number,
  ) {
    super(line, col, endCol);
    this.meta = (typeof call === 'number' ? call : CALL_INDEX.get(call)!) + 16 * callCol;
    this.args = 'reload' in args ? args : { positional: args.positional, named: args.named, from: undefined };
  }
  get call(): CallName {
    return CALL_NAMES[this.meta % 8];
  }
  /** The call's index in CALL_NAMES (for tables indexed by call). */
  get callIndex(): number {
    return this.meta % 8;
  }
  get callCol(): number {
    return Math.floor(this.meta / 16);
  }
  /** The next statement of the same block is an `expect` reading errno or cb_error. */
  get checked(): boolean {
    return Math.floor(this.meta / 8) % 2 === 1;
  }
  set checked(v: boolean) {
    if (v !== this.checked) this.meta += v ? 8 : -8;
  }
  get callLoc(): Loc {
    return { line: this.line, col: this.callCol, endCol: this.callCol + this.call.length };
  }
  private built(): CallArgs {
    let a = this.args;
    if ('reload' in a) {
      a.reload(this);
      a = this.args;
    }
    return a as CallArgs;
  }
  get positional(): ArgValue[] {
    return this.built().positional;
  }
  get named(): NamedArg[] {
    return this.built().named;
  }
  /** The trees a Reloader rebuilt. */
  setArgs(positional: ArgValue[], named: NamedArg[]): void {
    const a = this.args;
    this.args = { positional, named, from: 'reload' in a ? a : a.from };
  }
  /**
   * Drop the argument trees; `from` rebuilds them from the source line when next read.
   * A flat million-line trace then keeps one small object per statement, not a dozen.
   */
  release(from: Reloader): void {
    this.args = from;
  }
  /** The arguments straight from the parser, when released and plain enough (see CallAtoms). */
  atoms(): CallAtoms | undefined {
    const a = this.args;
    return 'reload' in a && a.atoms ? a.atoms(this.line) : undefined;
  }
  /** Whether the trees are dropped now. */
  get released(): boolean {
    return 'reload' in this.args;
  }
  /** After running it: drop the trees again if the parser released them once. */
  drop(): void {
    const a = this.args;
    if (!('reload' in a) && a.from) this.args = a.from;
  }
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

// Each node class's kind lives on its prototype, not in every node: a field less per node of a
// million-line trace.
for (const [cls, kind] of [
  [NumExpr, 'num'],
  [StrExpr, 'str'],
  [NameExpr, 'name'],
  [IndexExpr, 'index'],
  [FieldExpr, 'field'],
  [UnaryExpr, 'unary'],
  [BinaryExpr, 'binary'],
  [BuffersArg, 'buffers'],
  [CallStmt, 'call'],
] as const) Object.defineProperty(cls.prototype, 'kind', { value: kind, enumerable: true });

export type Stmt =
  | CallStmt
  | RepeatStmt
  | { kind: 'expect'; loc: Loc; expr: Expr; message?: string; source: string }
  | { kind: 'print'; loc: Loc; expr: Expr; source: string }
  | { kind: 'log'; loc: Loc; text: string }
  | { kind: 'sysctl'; loc: Loc; prefix?: string };

/** The line of a statement, without making a Loc (a call keeps its position as fields). */
export function stmtLine(s: Stmt): number {
  return s.kind === 'call' ? s.line : s.loc.line;
}

/** What a program's statements-by-line offer: a Map<number, Stmt> fits, and so does LineIndex. */
export interface StmtsByLine {
  readonly size: number;
  get(line: number): Stmt | undefined;
  has(line: number): boolean;
  set(line: number, s: Stmt): unknown;
  keys(): IterableIterator<number>;
  values(): IterableIterator<Stmt>;
  entries(): IterableIterator<[number, Stmt]>;
  [Symbol.iterator](): IterableIterator<[number, Stmt]>;
}

/**
 * The parser's plain call lines of the top level, kept as rows of a table rather than as
 * objects: a million-line trace then costs a few typed-array slots a line (see Program.top).
 */
export interface PlainRows {
  /** Row k as a statement: a new object each time, its argument trees released to the parser. */
  stmt(k: number): CallStmt;
  lineOf(k: number): number;
  // Row k read without making it a statement (the runner's row step):
  /** Its call's index in CALL_NAMES. */
  callIndex(k: number): number;
  /** stmt(k).checked. */
  checked(k: number): boolean;
  /** The name it assigns to (`NAME = call(...)`), or undefined. */
  targetName(k: number): string | undefined;
  /** The identifier id of that name (as CallAtoms.nameId), or -1. */
  targetId(k: number): number;
  /** stmt(k).atoms(). */
  atoms(k: number): CallAtoms | undefined;
}

/** Statements by line: a Map's API over an array (a million-entry Map is slow to fill). */
export class LineIndex implements StmtsByLine {
  /** A statement, or the number of a row of `rows` not made a statement yet. */
  private byLine: (Stmt | number | undefined)[] = [];
  private rows?: PlainRows;
  private n = 0;
  get size(): number { return this.n; }
  get(line: number): Stmt | undefined {
    const x = this.byLine[line];
    if (typeof x !== 'number') return x;
    // Made once, then kept: the same line gives the same object.
    const s = this.rows!.stmt(x);
    this.byLine[line] = s;
    return s;
  }
  has(line: number): boolean { return this.byLine[line] !== undefined; }
  set(line: number, s: Stmt): this {
    return this.put(line, s);
  }
  /** Room for lines 1..n-1 at once (the parser knows the line count): no growing line by line. */
  reserve(n: number): void {
    if (this.byLine.length === 0 && n > 0) this.byLine = new Array(n);
  }
  /** Line `line` holds row k of `rows`. */
  setRow(line: number, k: number, rows: PlainRows): this {
    this.rows = rows;
    return this.put(line, k);
  }
  private put(line: number, x: Stmt | number): this {
    // Lines arrive in order; a gap of blank lines is filled, never a jump from zero.
    while (this.byLine.length < line) this.byLine.push(undefined);
    if (this.byLine[line] === undefined) this.n++;
    this.byLine[line] = x;
    return this;
  }
  *keys(): IterableIterator<number> {
    for (let i = 0; i < this.byLine.length; i++) if (this.byLine[i] !== undefined) yield i;
  }
  *values(): IterableIterator<Stmt> {
    for (let i = 0; i < this.byLine.length; i++) if (this.byLine[i] !== undefined) yield this.get(i)!;
  }
  *entries(): IterableIterator<[number, Stmt]> {
    for (let i = 0; i < this.byLine.length; i++) if (this.byLine[i] !== undefined) yield [i, this.get(i)!];
  }
  [Symbol.iterator](): IterableIterator<[number, Stmt]> { return this.entries(); }
}

export interface Program {
  file: string;
  source: string;
  machine: { maxmem?: bigint; maxmemLoc?: Loc };
  kernel?: { id: string; loc: Loc };
  body: Stmt[];
  /**
   * The top level as the parser left it: statements, and for plain call lines whose checks
   * passed on the fast path, row numbers of `plain`. The runner and the lints read this and
   * make a row a statement only while they use it; reading `body` makes every row a statement,
   * once. Absent when `body` is all there is (trees kept, or a program built by hand).
   */
  top?: (Stmt | number)[];
  plain?: PlainRows;
  /** What each handle name is assigned from: 'tag' or 'map' (from its create calls). */
  handleKinds: Map<string, 'tag' | 'map'>;
  /** Every statement by line, for breakpoints and the debugger. */
  lines: StmtsByLine;
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

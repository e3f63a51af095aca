// Language features of the .busdma editor as pure functions of a text and a position:
// diagnostics (the parser's, plus two lints), hover, completion, document symbols, go to
// definition and find references. No `vscode` import: tests and the diagnostics worker call
// these directly, and src/editor/register.ts converts positions and results for VS Code.
//
// Positions are 1-based lines and columns, as the parser's diagnostics give them; `endCol`
// is exclusive. Everything comes from the real lexer and parser (src/trace), never regexes
// over the source.

import {
  CALL_NAMES, type CallAtoms, type CallStmt, type ArgValue, type CallName, type Diagnostic, type Expr, type PlainRows, type Program, type Stmt,
} from '../trace/ast';
import { lexLine, type Token } from '../trace/lexer';
import { CALLS as CALL_SPECS, parse } from '../trace/parser';
import { KERNEL_IDS } from '../core/kernels';
import {
  BUILTINS, CALLS as CALL_DOCS, CONSTANTS, ERRNOS, FLAGS, GLOBAL_FIELDS, KERNELS, KEYWORDS, MACHINE_SETTINGS,
  MAP_FIELDS, NAMED_ARGS, TAG_FIELDS, ZONE_FIELDS, docFor, type DocEntry,
} from './docs';

// ---------------------------------------------------------------------------------------------
// Types

export type EditorSeverity = 'error' | 'warning' | 'info' | 'hint';

export interface EditorDiagnostic {
  severity: EditorSeverity;
  message: string;
  line: number;
  col: number;
  endCol: number;
  code?: string;
}

export interface Range1 {
  line: number;
  col: number;
  endCol: number;
}

export interface Hover {
  markdown: string;
  range: Range1;
}

export type CompletionKind =
  | 'call' | 'keyword' | 'handle' | 'field' | 'constant' | 'flag' | 'errno' | 'namedArg' | 'kernel' | 'variable' | 'setting';

export interface Completion {
  label: string;
  kind: CompletionKind;
  /** One line beside the label: a handle's kind and line, a named argument's default, a value. */
  detail?: string;
  /** Markdown (from docs.ts). */
  documentation?: string;
  /** Text to insert when it differs from the label (`lowaddr: `). */
  insertText?: string;
  sortText?: string;
  /** The characters the completion replaces: the partial word before the cursor. */
  range: Range1;
}

export type SymbolKind = 'tag' | 'map' | 'repeat';

export interface DocSymbol {
  name: string;
  kind: SymbolKind;
  detail: string;
  /** The whole statement (for a repeat, from its line to its closing brace). */
  range: { line: number; col: number; endLine: number; endCol: number };
  /** The handle name (or the `repeat` keyword). */
  selection: Range1;
  children: DocSymbol[];
}

export interface Location1 extends Range1 {}

// ---------------------------------------------------------------------------------------------
// Analysis of one text, memoised: providers called in a row on the same text parse it once.

/** One mention of a handle: the base name's columns (`rx` in `rx[i]`). */
export interface HandleOcc extends Range1 {
  name: string;
  /** The assignment target of a create call. */
  def: boolean;
  /** The statement it appears in (none on a line with a syntax error). */
  stmt?: Stmt;
}

export interface HandleInfo {
  name: string;
  kind: 'tag' | 'map' | undefined;
  indexed: boolean;
  defs: HandleOcc[];
  /** Every mention, definitions included, in source order. */
  refs: HandleOcc[];
}

export class Analysis {
  readonly program: Program;
  readonly parseDiagnostics: Diagnostic[];
  private _lines?: string[];
  private _handles?: Map<string, HandleInfo>;
  private _byLine?: Map<number, HandleOcc[]>;
  private _repeats?: RepeatInfo[];

  /** Parses `text`, unless `parsed` gives its program and diagnostics already. */
  constructor(readonly text: string, readonly file: string, parsed?: { program: Program; diagnostics: Diagnostic[] }) {
    // Calls keep their atoms, not their trees: the lints read the atoms in place, and other
    // features rebuild the trees they need from them. Kept trees made a 100,000-line file's
    // diagnostics GC-bound.
    const r = parsed ?? parse(text, file, { keepAtoms: true });
    this.program = r.program;
    this.parseDiagnostics = r.diagnostics;
  }

  get lines(): string[] {
    return (this._lines ??= this.text.split(/\r?\n/));
  }

  lineText(line: number): string {
    return this.lines[line - 1] ?? '';
  }

  /** Handles by base name, built on first use (diagnostics never need it). */
  get handles(): Map<string, HandleInfo> {
    if (!this._handles) this.buildIndex();
    return this._handles!;
  }

  occurrencesOn(line: number): HandleOcc[] {
    if (!this._byLine) this.buildIndex();
    return this._byLine!.get(line) ?? [];
  }

  /** Every repeat block, outermost first, with its loop variable. */
  get repeats(): RepeatInfo[] {
    if (!this._repeats) {
      const out: RepeatInfo[] = [];
      const walk = (stmts: Stmt[], depth: number) => {
        for (const s of stmts) {
          if (s.kind !== 'repeat') continue;
          out.push({ line: s.loc.line, endLine: s.endLine, var: s.var, count: s.count, depth });
          walk(s.body, depth + 1);
        }
      };
      walk(this.program.body, 0);
      this._repeats = out;
    }
    return this._repeats;
  }

  /** The repeat blocks around a line, outermost first. */
  enclosingRepeats(line: number): RepeatInfo[] {
    return this.repeats.filter((r) => r.line < line && (line < r.endLine || (r.endLine === r.line && line > r.line)));
  }

  private buildIndex(): void {
    const handles = new Map<string, HandleInfo>();
    const byLine = new Map<number, HandleOcc[]>();
    const kinds = this.program.handleKinds;
    const add = (name: string, line: number, col: number, def: boolean, stmt: Stmt | undefined, indexed: boolean) => {
      let h = handles.get(name);
      if (!h) {
        h = { name, kind: kinds.get(name), indexed: false, defs: [], refs: [] };
        handles.set(name, h);
      }
      if (indexed) h.indexed = true;
      const occ: HandleOcc = { name, line, col, endCol: col + name.length, def, stmt };
      h.refs.push(occ);
      if (def) h.defs.push(occ);
      let l = byLine.get(line);
      if (!l) byLine.set(line, (l = []));
      l.push(occ);
    };
    // Positions use the statement's line: every argument is on it (one statement per line),
    // and a call's re-read arguments (CallStmt.release) may carry another line number.
    const expr = (e: Expr, stmt: Stmt) => {
      const line = stmt.kind === 'call' ? stmt.line : stmt.loc.line;
      switch (e.kind) {
        case 'name':
          if (kinds.has(e.name)) add(e.name, line, e.col, false, stmt, false);
          return;
        case 'index':
          if (kinds.has(e.base)) add(e.base, line, e.col, false, stmt, true);
          expr(e.index, stmt);
          return;
        case 'field': expr(e.object, stmt); return;
        case 'unary': expr(e.arg, stmt); return;
        case 'binary': expr(e.left, stmt); expr(e.right, stmt); return;
        default: return;
      }
    };
    const arg = (a: ArgValue, stmt: Stmt) => {
      if (a.kind === 'buffers') {
        for (const b of a.buffers) { expr(b.paddr, stmt); expr(b.len, stmt); }
      } else expr(a, stmt);
    };
    const walk = (stmts: Stmt[]) => {
      for (const s of stmts) {
        switch (s.kind) {
          case 'call':
            if (s.target) {
              add(s.target.name, s.line, s.target.loc.col, !!CALL_SPECS[s.call].returns, s, !!s.target.index);
              if (s.target.index) expr(s.target.index, s);
            }
            for (const a of s.positional) arg(a, s);
            for (const n of s.named) expr(n.value, s);
            break;
          case 'repeat':
            expr(s.count, s);
            walk(s.body);
            break;
          case 'expect':
          case 'print':
            expr(s.expr, s);
            break;
          default:
            break;
        }
      }
    };
    walk(this.program.body);
    // A create line with a syntax error (being typed) still defines its handle, as the
    // parser's own prescan of handle kinds has it: `NAME [ [...] ] = create_call ...`.
    const errorLines = new Set<number>();
    for (const d of this.parseDiagnostics) if (d.severity === 'error') errorLines.add(d.line);
    for (const line of errorLines) {
      if (this.program.lines.has(line)) continue;
      const toks = lexLine(this.lineText(line));
      const head = toks[0];
      if (!head || head.kind !== 'ident' || !kinds.has(head.text)) continue;
      let j = 1;
      if (isPunct(toks[1], '[')) {
        let depth = 0;
        for (; j < toks.length; j++) {
          if (isPunct(toks[j], '[')) depth++;
          else if (isPunct(toks[j], ']') && --depth === 0) { j++; break; }
        }
      }
      const callTok = toks[j + 1];
      if (isPunct(toks[j], '=') && callTok && (callTok.text === 'bus_dma_tag_create' || callTok.text === 'bus_dmamap_create')) {
        add(head.text, line, head.col, true, undefined, j > 1);
      }
    }
    for (const h of handles.values()) {
      h.refs.sort((x, y) => x.line - y.line || x.col - y.col);
      h.defs.sort((x, y) => x.line - y.line || x.col - y.col);
    }
    this._handles = handles;
    this._byLine = byLine;
  }
}

export interface RepeatInfo {
  line: number;
  endLine: number;
  var?: string;
  count: Expr;
  depth: number;
}

let cache: Analysis[] = [];

/** The analysis of `text`, shared by the providers while the text does not change. */
export function analyze(text: string, file = '<trace>'): Analysis {
  const hit = cache.find((a) => a.text === text && a.file === file);
  if (hit) return hit;
  // Every edit parses the whole text again: with plain lines kept as rows this takes less than
  // re-parsing one line into a copy of the old program did (that path made every row an object).
  const prev = cache.find((x) => x.file === file);
  const a = new Analysis(text, file);
  cache = [a, ...cache.filter((x) => x !== prev)].slice(0, 2);
  return a;
}

/** Forgets the memoised analyses (a closed document's text is not kept alive). */
export function clearAnalysisCache(): void {
  cache = [];
}

// ---------------------------------------------------------------------------------------------
// Diagnostics

/** Calls that can return a non-zero errno (docs.ts lists them), in source order of the table. */
const FALLIBLE = new Set<CallName>(
  (Object.keys(CALL_SPECS) as CallName[]).filter((c) => (CALL_DOCS.get(c)?.errnos.length ?? 0) > 0),
);

/**
 * The parser's diagnostics plus the editor's lints:
 * - `use-after-destroy` (warning): a handle passed to a call after a destroy that certainly
 *   succeeded, in the same block and with no reassignment in between;
 * - `unchecked-errno` (hint): a call that can fail (tag or map create, load, destroy) with no
 *   `expect` reading errno or cb_error on the next statement.
 * Sorted by line and column.
 */
export function diagnosticsFor(text: string, file = '<trace>'): EditorDiagnostic[] {
  return diagnosticsOf(analyze(text, file));
}

export function diagnosticsOf(a: Analysis): EditorDiagnostic[] {
  const out: EditorDiagnostic[] = a.parseDiagnostics.slice();
  // Lints only run on a trace without syntax errors in the lines they look at: the parser
  // drops a broken line, so "the next statement" would not be the next line.
  const broken = new Set<number>();
  for (const d of a.parseDiagnostics) if (d.severity === 'error') broken.add(d.line);
  // The top level as parsed: a plain row becomes a statement only while the lint reads it.
  const p = a.program;
  lintBlock(p.top ?? p.body, out, broken, p.plain);
  const before = (x: EditorDiagnostic, y: EditorDiagnostic) => x.line - y.line || x.col - y.col;
  for (let i = 1; i < out.length; i++) {
    if (before(out[i - 1], out[i]) > 0) {
      out.sort(before);
      break;
    }
  }
  return out;
}

/** The unchecked-errno message of each call that can fail. */
const UNCHECKED_MESSAGE = new Map<CallName, string>([...FALLIBLE].map((c) => [
  c,
  `the errno of ${c} is not checked (it can return ${(CALL_DOCS.get(c)?.errnos ?? []).join(', ')}): a non-zero errno raises an error event; check it with 'expect errno == ...' on the next line`,
]));

/** What the lint knows about one handle key (`m`, `t[i]`) inside one block. */
interface KeyState {
  /** The line of a destroy that certainly succeeded. */
  destroyedAt?: number;
  destroyCall?: CallName;
  /** 'unloaded': created or unloaded here, after any load; 'loaded': a load since. */
  load?: 'loaded' | 'unloaded';
  /** A tag created in this block: the keys of the maps created on it since. */
  maps?: Set<string>;
  /** A nested block may have created maps on this tag: its destroy may fail. */
  unknownMaps?: boolean;
}

function lintBlock(stmts: readonly (Stmt | number)[], out: EditorDiagnostic[], broken: Set<number>, rows?: PlainRows): void {
  const at = (i: number): Stmt | undefined => {
    const x = stmts[i];
    return typeof x === 'number' ? rows!.stmt(x) : x;
  };
  const st = new Map<string, KeyState>();
  const get = (k: string) => {
    let s = st.get(k);
    if (!s) st.set(k, (s = {}));
    return s;
  };
  /** A new object under this name: forget what we knew of every key with that base. */
  const rebind = (base: string) => {
    // Deleting the entry being visited is safe in a Map's iteration.
    for (const k of st.keys()) if (k === base || k.startsWith(base + '[')) st.delete(k);
  };
  let next = at(0);
  for (let i = 0; i < stmts.length; i++) {
    const s = next!;
    next = at(i + 1);
    if (s.kind === 'repeat') {
      lintBlock(s.body, out, broken);
      // Uses inside the body of a handle destroyed before it: flagged only when nothing in the
      // body rebinds the name (then the first iteration certainly uses a destroyed object).
      const assigned = new Set<string>();
      const mapTags = new Set<string>();
      collectAssignments(s.body, assigned, mapTags);
      for (const [k, ks] of st) {
        if (ks.destroyedAt === undefined) continue;
        if (assigned.has(baseOf(k))) continue;
        flagUsesIn(s.body, k, ks, out, broken);
      }
      for (const b of assigned) rebind(b);
      for (const t of mapTags) for (const [k, ks] of st) if (baseOf(k) === t) ks.unknownMaps = true;
      // A nested block may load, unload or destroy anything: forget load states it touches.
      forgetTouched(s.body, st);
      continue;
    }
    if (s.kind !== 'call') continue;
    const ci = s.callIndex;
    const spec = SPEC_BY_INDEX[ci];
    // The handles it names: from the parser's atoms when the line is plain (no trees), else
    // from its trees; the trees are read for a warning's columns only.
    const atoms = s.atoms();
    const keys = atoms ? atomHandleKeys(s, atoms) : undefined;
    let tagKey: string | undefined;
    let mapKey: string | undefined;
    if (atoms) {
      // A plain line has every positional argument, and keys holds its handle slots first,
      // in slot order.
      if (spec.positional[0] === 'tag') tagKey = keys![0];
      if (spec.positional[1] === 'map') mapKey = keys![1];
    } else {
      tagKey = s.positional[0] && isHandleExpr(s.positional[0]) ? keyOf(s.positional[0] as Expr) : undefined;
      mapKey = s.positional[1] && isHandleExpr(s.positional[1]) ? keyOf(s.positional[1] as Expr) : undefined;
    }
    // Uses of handles destroyed earlier in this block.
    if (!broken.has(s.line) && (!keys || anyDestroyed(keys, st))) {
      handleArgs(s, (e, k) => {
        const ks = st.get(k);
        if (ks?.destroyedAt !== undefined) pushUseAfterDestroy(out, s.line, e, k, ks);
      });
    }
    // Unchecked errno.
    const unchecked = UNCHECKED_BY_INDEX[ci];
    if (unchecked !== undefined && !s.checked && !broken.has(s.line) && !broken.has(s.line + 1)) {
      out.push({ severity: 'hint', code: 'unchecked-errno', line: s.line, col: s.callCol, endCol: s.callCol + s.call.length, message: unchecked });
    }
    // State changes.
    const outcome = destroyOutcome(next);
    switch (s.call) {
      case 'bus_dmamap_load':
        if (mapKey) get(mapKey).load = 'loaded';
        break;
      case 'bus_dmamap_unload':
        if (mapKey) get(mapKey).load = 'unloaded';
        break;
      case 'bus_dmamap_destroy': {
        if (!mapKey) break;
        const ms = get(mapKey);
        // Unchecked: it succeeds unless the map may hold bounce pages (EBUSY).
        const ok = outcome === 'ok' || (outcome === 'unchecked' && ms.load === 'unloaded');
        if (ok && ms.destroyedAt === undefined) {
          ms.destroyedAt = s.line;
          ms.destroyCall = s.call;
          if (tagKey) st.get(tagKey)?.maps?.delete(mapKey);
        }
        break;
      }
      case 'bus_dma_tag_destroy': {
        if (!tagKey) break;
        const ts = get(tagKey);
        // Unchecked: it succeeds when every map created on the tag (all in this block) is gone.
        const known = ts.maps !== undefined && !ts.unknownMaps && ts.maps.size === 0;
        const ok = outcome === 'ok' || (outcome === 'unchecked' && known);
        if (ok && ts.destroyedAt === undefined) {
          ts.destroyedAt = s.line;
          ts.destroyCall = s.call;
        }
        break;
      }
      default:
        break;
    }
    if (s.target && spec.returns) {
      const k = s.target.index ? `${s.target.name}[${exprKey(s.target.index)}]` : s.target.name;
      rebind(s.target.name);
      if (spec.returns === 'tag') get(k).maps = new Set();
      else {
        get(k).load = 'unloaded';
        if (tagKey) {
          const ts = st.get(tagKey);
          if (ts?.maps) ts.maps.add(k);
          else get(tagKey).unknownMaps = true;
        }
      }
    }
    s.drop(); // a released call's trees, read once here, need not outlive the lint
  }
}

function pushUseAfterDestroy(out: EditorDiagnostic[], line: number, e: Expr, key: string, ks: KeyState): void {
  out.push({
    severity: 'warning',
    code: 'use-after-destroy',
    line,
    col: e.col,
    endCol: e.endCol,
    message: `'${key}' is used after ${ks.destroyCall} on line ${ks.destroyedAt}: the simulator reports a misuse and the call does nothing`,
  });
}

function flagUsesIn(stmts: Stmt[], key: string, ks: KeyState, out: EditorDiagnostic[], broken: Set<number>): void {
  for (const s of stmts) {
    if (s.kind === 'repeat') flagUsesIn(s.body, key, ks, out, broken);
    else if (s.kind === 'call' && !broken.has(s.line)) {
      let hit = false;
      handleArgs(s, (e, k) => {
        if (k === key) { pushUseAfterDestroy(out, s.line, e, key, ks); hit = true; }
      });
      if (hit) return; // one warning per block is enough
    }
  }
}

/** Handle bases assigned anywhere in `stmts` (nested too), and tags that get maps there. */
function collectAssignments(stmts: Stmt[], assigned: Set<string>, mapTags: Set<string>): void {
  for (const s of stmts) {
    if (s.kind === 'repeat') collectAssignments(s.body, assigned, mapTags);
    else if (s.kind === 'call') {
      if (s.target) assigned.add(s.target.name);
      if (s.call === 'bus_dmamap_create' && s.positional[0] && isHandleExpr(s.positional[0])) mapTags.add(baseOf(keyOf(s.positional[0] as Expr)));
    }
  }
}

function forgetTouched(stmts: Stmt[], st: Map<string, KeyState>): void {
  for (const s of stmts) {
    if (s.kind === 'repeat') forgetTouched(s.body, st);
    else if (s.kind === 'call') {
      for (const a of s.positional) {
        if (!isHandleExpr(a)) continue;
        const base = baseOf(keyOf(a as Expr));
        for (const [k, ks] of st) {
          if (baseOf(k) !== base) continue;
          ks.load = undefined;
          if (ks.maps) ks.unknownMaps = true;
        }
      }
    }
  }
}

/** By call index (CALL_NAMES): its spec, unchecked-errno message, tag and map positions. */
const SPEC_BY_INDEX = CALL_NAMES.map((c) => CALL_SPECS[c]);
const UNCHECKED_BY_INDEX = CALL_NAMES.map((c) => UNCHECKED_MESSAGE.get(c));
const HANDLE_SLOTS = CALL_NAMES.map((c) => CALL_SPECS[c].positional.flatMap((k, i) => (k === 'tag' || k === 'map' ? [i] : [])));

/** What handleArgs gives as keys, read from the parser's atoms of a plain line. */
function atomHandleKeys(s: CallStmt, a: CallAtoms): string[] {
  const keys: string[] = [];
  const slots = HANDLE_SLOTS[s.callIndex];
  for (let k = 0; k < slots.length; k++) keys.push(a.name(slots[k]));
  if (s.call === 'bus_dma_tag_create') {
    const j = a.namedIndex('parent');
    const p = j < 0 ? undefined : a.namedName(j);
    if (p !== undefined) keys.push(p);
  }
  return keys;
}

function anyDestroyed(keys: string[], st: Map<string, KeyState>): boolean {
  for (let i = 0; i < keys.length; i++) if (st.get(keys[i])?.destroyedAt !== undefined) return true;
  return false;
}

/** The handle arguments of a call (tag and map positions, and `parent:`) with their keys. */
function handleArgs(s: CallStmt, f: (e: Expr, key: string) => void): void {
  const spec = CALL_SPECS[s.call];
  s.positional.forEach((a, i) => {
    const k = spec.positional[i];
    if ((k === 'tag' || k === 'map') && isHandleExpr(a)) f(a as Expr, keyOf(a as Expr));
  });
  for (const n of s.named) if (n.name === 'parent' && isHandleExpr(n.value)) f(n.value, keyOf(n.value));
}

/** Whether the statement after a destroy says it succeeded ('ok'), may have failed
 * ('failed': an expect of a non-zero errno), or says nothing ('unchecked'). */
function destroyOutcome(next: Stmt | undefined): 'ok' | 'failed' | 'unchecked' {
  if (!next || next.kind !== 'expect') return 'unchecked';
  const e = next.expr;
  if (e.kind === 'binary' && e.op === '==') {
    const zeroCheck = (x: Expr, y: Expr) => x.kind === 'name' && x.name === 'errno' && y.kind === 'num' && y.value === 0n;
    if (zeroCheck(e.left, e.right) || zeroCheck(e.right, e.left)) return 'ok';
  }
  if (e.kind === 'unary' && e.op === '!' && e.arg.kind === 'name' && e.arg.name === 'errno') return 'ok';
  return readsName(e, 'errno') ? 'failed' : 'unchecked';
}

function readsName(e: Expr, name: string): boolean {
  switch (e.kind) {
    case 'name': return e.name === name;
    case 'unary': return readsName(e.arg, name);
    case 'binary': return readsName(e.left, name) || readsName(e.right, name);
    case 'field': return readsName(e.object, name);
    case 'index': return readsName(e.index, name);
    default: return false;
  }
}

function isHandleExpr(a: ArgValue): boolean {
  return a.kind === 'name' || a.kind === 'index';
}

/** `m`, `rx[i]`, `rx[(i + 1)]`: equal keys name the same object within one iteration. */
function keyOf(e: Expr): string {
  if (e.kind === 'name') return e.name;
  if (e.kind === 'index') return `${e.base}[${exprKey(e.index)}]`;
  return exprKey(e);
}

function baseOf(key: string): string {
  const i = key.indexOf('[');
  return i < 0 ? key : key.slice(0, i);
}

function exprKey(e: Expr): string {
  switch (e.kind) {
    case 'num': return e.value.toString();
    case 'str': return JSON.stringify(e.value);
    case 'name': return e.name;
    case 'index': return `${e.base}[${exprKey(e.index)}]`;
    case 'field': return `${exprKey(e.object)}.${e.field}`;
    case 'unary': return `(${e.op}${exprKey(e.arg)})`;
    case 'binary': return `(${exprKey(e.left)} ${e.op} ${exprKey(e.right)})`;
  }
}

// ---------------------------------------------------------------------------------------------
// Tokens around a position

function tokenAt(toks: Token[], col: number): number {
  for (let i = 0; i < toks.length; i++) if (toks[i].col <= col && col < toks[i].endCol) return i;
  return -1;
}

function isPunct(t: Token | undefined, text: string): boolean {
  return !!t && t.kind === 'punct' && t.text === text;
}

/** The index of the token that starts the object before a `.` at `dot` (`rx` of `rx[i].x`). */
function objectBefore(toks: Token[], dot: number): number {
  let j = dot - 1;
  if (isPunct(toks[j], ']')) {
    let depth = 0;
    for (; j >= 0; j--) {
      if (isPunct(toks[j], ']')) depth++;
      else if (isPunct(toks[j], '[') && --depth === 0) break;
    }
    j--;
  }
  return toks[j]?.kind === 'ident' ? j : -1;
}

/** The call whose parentheses contain token index `at`, if any: its name token, the index of
 * its `(`. */
function enclosingCall(toks: Token[], at: number): { name: CallName; open: number } | undefined {
  let depth = 0;
  for (let j = at - 1; j >= 0; j--) {
    const t = toks[j];
    if (t.kind !== 'punct') continue;
    if (t.text === ')' || t.text === ']') depth++;
    else if (t.text === '(' || t.text === '[') {
      if (depth > 0) { depth--; continue; }
      if (t.text === '(' && toks[j - 1]?.kind === 'ident' && toks[j - 1].text in CALL_SPECS) return { name: toks[j - 1].text as CallName, open: j };
      if (t.text === '[' ) continue; // a buffer list or an index: keep looking outwards
    }
  }
  return undefined;
}

/** Which argument of a call the token `at` is in: its positional index, or the named argument
 * whose value it is in, and the names given so far. */
function argumentAt(toks: Token[], open: number, at: number, after: Token[]): { index: number; named?: string; given: Set<string>; argStart: number } {
  let depth = 0;
  let index = 0;
  let named: string | undefined;
  let argStart = open + 1;
  const given = new Set<string>();
  for (let j = open + 1; j < at; j++) {
    const t = toks[j];
    if (t.kind === 'punct') {
      if (t.text === '(' || t.text === '[') depth++;
      else if (t.text === ')' || t.text === ']') depth--;
      else if (t.text === ',' && depth === 0) { index++; named = undefined; argStart = j + 1; }
      else if (t.text === ':' && depth === 0 && j === argStart + 1 && toks[argStart].kind === 'ident') {
        named = toks[argStart].text;
        given.add(named);
      }
    }
  }
  // Named arguments after the cursor count as given too.
  depth = 0;
  for (let j = 0; j < after.length; j++) {
    const t = after[j];
    if (t.kind === 'punct' && (t.text === '(' || t.text === '[')) depth++;
    else if (t.kind === 'punct' && (t.text === ')' || t.text === ']')) { if (--depth < 0) break; }
    else if (depth === 0 && t.kind === 'ident' && isPunct(after[j + 1], ':') && (j === 0 || isPunct(after[j - 1], ','))) given.add(t.text);
  }
  return { index, named, given, argStart };
}

// ---------------------------------------------------------------------------------------------
// Hover

/** Hover Markdown for the word at a 1-based position, or undefined. */
export function hoverAt(text: string, line: number, col: number, file = '<trace>'): Hover | undefined {
  return hoverOf(analyze(text, file), line, col);
}

/** Hover on an analysis; `src` is the line's current text when the analysis is a little older
 * than the document (a large trace being edited). */
export function hoverOf(a: Analysis, line: number, col: number, src = a.lineText(line)): Hover | undefined {
  const toks = lexLine(src);
  const i = tokenAt(toks, col);
  if (i < 0) return undefined;
  const t = toks[i];
  const range: Range1 = { line, col: t.col, endCol: t.endCol };
  const md = (m: string | undefined) => (m ? { markdown: m, range } : undefined);
  if (t.kind === 'num') return md(docFor(t.text));
  if (t.kind !== 'ident') return undefined;
  const w = t.text;
  // Header lines.
  if (i === 1 && toks[0].text === 'kernel' && toks[0].kind === 'ident') return md(KERNELS.get(w)?.markdown);
  if (toks[0].kind === 'ident' && toks[0].text === 'machine' && i > 0) return md(MACHINE_SETTINGS.get(w)?.markdown ?? docFor(w));
  // A field after a dot: zone0.total_bpages, rx.map_count, t[i].lowaddr, global.zone_count.
  if (isPunct(toks[i - 1], '.')) {
    const o = objectBefore(toks, i - 1);
    if (o < 0) return undefined;
    const owner = toks[o].text;
    let doc: DocEntry | undefined;
    if (/^zone\d+$/.test(owner)) doc = ZONE_FIELDS.get(w);
    else if (owner === 'global') doc = GLOBAL_FIELDS.get(w);
    else if (a.program.handleKinds.get(owner) === 'tag') doc = TAG_FIELDS.get(w);
    else if (a.program.handleKinds.get(owner) === 'map') doc = MAP_FIELDS.get(w);
    if (toks[0].text === 'sysctl') return md(docFor('sysctl'));
    return md(doc?.markdown);
  }
  // A named argument `lowaddr:` inside a call.
  if (isPunct(toks[i + 1], ':')) {
    const c = enclosingCall(toks, i);
    if (c && CALL_SPECS[c.name].named.includes(w) && (isPunct(toks[i - 1], ',') || isPunct(toks[i - 1], '('))) {
      const doc = NAMED_ARGS.get(w);
      if (doc) return md(doc.markdown);
    }
  }
  // A handle: what it is and where it is created.
  const kind = a.program.handleKinds.get(w);
  if (kind && !(w in CALL_SPECS)) return md(handleMarkdown(a, w, line));
  // A loop variable.
  const loop = a.enclosingRepeats(line + (toks[0].text === 'repeat' ? 1 : 0)).filter((r) => r.var === w).pop();
  if (loop) {
    const n = a.lineText(loop.line).trim().replace(/\s*\{\s*(#.*)?$/, '');
    return md(`\`\`\`busdma\n${n}\n\`\`\`\n\nLoop variable of the \`repeat\` on line ${loop.line}: counts from 0 to the count − 1.`);
  }
  return md(docFor(w));
}

function handleMarkdown(a: Analysis, name: string, line: number): string {
  const h = a.handles.get(name);
  const kind = a.program.handleKinds.get(name)!;
  const defs = h?.defs ?? [];
  const head = `**${kind}** \`${name}${h?.indexed ? '[…]' : ''}\``;
  if (!defs.length) return `${head}\n\nNever created in this trace.`;
  const shown = nearestDefs(defs, line, 3);
  const parts = shown.map((d) => `line ${d.line}:\n\`\`\`busdma\n${a.lineText(d.line).trim()}\n\`\`\``);
  const more = defs.length > shown.length ? `\n\n(${defs.length} create lines in all)` : '';
  const what = kind === 'tag'
    ? 'A DMA tag: the addressing limits of a device (`bus_dma_tag_create`).'
    : 'A DMA map: one buffer mapping of its tag (`bus_dmamap_create`).';
  return `${head} — ${what}\n\nCreated on ${parts.join('\n\n')}${more}`;
}

/** The definitions closest before `line` (most recent first), then those after it. */
function nearestDefs(defs: HandleOcc[], line: number, n: number): HandleOcc[] {
  const before = defs.filter((d) => d.line <= line).reverse();
  const after = defs.filter((d) => d.line > line);
  return [...before, ...after].slice(0, n);
}

// ---------------------------------------------------------------------------------------------
// Completion

const STATEMENT_KEYWORDS = ['repeat', 'expect', 'print', 'log', 'sysctl'];
const HEADER_KEYWORDS = ['machine', 'kernel'];
const CREATE_CALLS: CallName[] = ['bus_dma_tag_create', 'bus_dmamap_create'];
const EXPR_BUILTINS = ['errno', 'cb_error', 'leaked_bpages', 'steps', 'global'];
const CALL_FLAGS = [...FLAGS.values()].filter((f) => !f.sync);
const SYNC_FLAGS = [...FLAGS.values()].filter((f) => f.sync);

/** Constants that make sense as the value of each named argument, best first. */
const VALUE_CONSTANTS: Record<string, string[]> = {
  lowaddr: ['BUS_SPACE_MAXADDR_32BIT', 'BUS_SPACE_MAXADDR_24BIT', 'BUS_SPACE_MAXADDR'],
  highaddr: ['BUS_SPACE_MAXADDR', 'BUS_SPACE_MAXADDR_32BIT', 'BUS_SPACE_MAXADDR_24BIT'],
  maxsize: ['MCLBYTES', 'MJUMPAGESIZE', 'MJUM9BYTES', 'MJUM16BYTES', 'PAGE_SIZE', 'BUS_SPACE_MAXSIZE_32BIT', 'BUS_SPACE_MAXSIZE_24BIT', 'BUS_SPACE_MAXSIZE'],
  maxsegsz: ['MCLBYTES', 'PAGE_SIZE', 'MJUMPAGESIZE', 'MJUM9BYTES', 'MJUM16BYTES', 'BUS_SPACE_MAXSIZE_32BIT', 'BUS_SPACE_MAXSIZE_24BIT', 'BUS_SPACE_MAXSIZE'],
  alignment: ['PAGE_SIZE'],
  boundary: ['PAGE_SIZE'],
  nsegments: [],
};
/** Flags that apply to each call, best first. */
const CALL_FLAG_NAMES: Partial<Record<CallName, string[]>> = {
  bus_dma_tag_create: ['BUS_DMA_ALLOCNOW', 'BUS_DMA_KEEP_PG_OFFSET', 'BUS_DMA_COHERENT'],
  bus_dmamap_create: ['BUS_DMA_COHERENT', 'BUS_DMA_WAITOK', 'BUS_DMA_NOWAIT'],
  bus_dmamap_load: ['BUS_DMA_NOWAIT', 'BUS_DMA_WAITOK'],
};

/** Completions at a 1-based position (the cursor is before column `col`). */
export function completionsAt(text: string, line: number, col: number, file = '<trace>'): Completion[] {
  return completionsOf(analyze(text, file), line, col);
}

export function completionsOf(a: Analysis, line: number, col: number, src = a.lineText(line)): Completion[] {
  // In display order (VS Code sorts by sortText, then label).
  return completionList(a, line, col, src)
    .map((c, i) => ({ c, i }))
    .sort((x, y) => cmp(x.c.sortText ?? x.c.label, y.c.sortText ?? y.c.label) || x.i - y.i)
    .map((x) => x.c);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function completionList(a: Analysis, line: number, col: number, src: string): Completion[] {
  const before = src.slice(0, col - 1);
  const all = lexLine(before);
  // Nothing inside a comment (the lexer stops at a `#` outside strings) or a string.
  const lastEnd = all.length ? all[all.length - 1].endCol - 1 : 0;
  if (before.indexOf('#', lastEnd) >= 0) return [];
  const last = all[all.length - 1];
  if (last && last.kind === 'str') return [];
  // The partial word under the cursor, and the tokens before it.
  let partial = '';
  let toks = all;
  if (last && last.endCol === col && (last.kind === 'ident' || last.kind === 'num')) {
    partial = last.text;
    toks = all.slice(0, -1);
  }
  const range: Range1 = { line, col: col - partial.length, endCol: col };
  const out: Completion[] = [];
  const push = (c: Omit<Completion, 'range'>) => {
    if (!partial || c.label.startsWith(partial) || c.label.toLowerCase().includes(partial.toLowerCase())) out.push({ ...c, range });
  };
  if (last?.kind === 'num' && partial) return []; // typing a number
  const n = toks.length;
  const first = toks[0];

  // Statement start.
  if (n === 0) {
    (Object.keys(CALL_SPECS) as CallName[]).forEach((c, i) => push(callItem(c, '1' + String(i).padStart(2, '0'))));
    for (const k of STATEMENT_KEYWORDS) push({ label: k, kind: 'keyword', documentation: KEYWORDS.get(k)?.markdown, sortText: '3' + k });
    if (beforeFirstCall(a, line)) for (const k of HEADER_KEYWORDS) push({ label: k, kind: 'keyword', documentation: KEYWORDS.get(k)?.markdown, sortText: '0' + k });
    return out;
  }
  // Header lines.
  if (first.kind === 'ident' && first.text === 'kernel' && n === 1) {
    for (const k of KERNEL_IDS) push({ label: k, kind: 'kernel', documentation: KERNELS.get(k)?.markdown, sortText: k === 'd48182' ? '0' : '1' + k });
    return out;
  }
  if (first.kind === 'ident' && first.text === 'machine') {
    if (n === 1) push({ label: 'maxmem', kind: 'setting', insertText: 'maxmem=', detail: 'default 16G', documentation: MACHINE_SETTINGS.get('maxmem')?.markdown });
    return out;
  }
  if (first.kind === 'ident' && first.text === 'sysctl') {
    if (n === 1) push({ label: 'hw.busdma', kind: 'setting' });
    return out;
  }
  if (first.kind === 'ident' && first.text === 'log') return out;
  if (first.kind === 'ident' && first.text === 'repeat' && toks.some((t) => t.kind === 'ident' && t.text === 'as')) return out;

  // A field after a dot.
  if (isPunct(toks[n - 1], '.')) {
    const o = objectBefore(toks, n - 1);
    if (o < 0) return out;
    const owner = toks[o].text;
    let fields: ReadonlyMap<string, DocEntry> | undefined;
    if (/^zone\d+$/.test(owner)) fields = ZONE_FIELDS;
    else if (owner === 'global') fields = GLOBAL_FIELDS;
    else if (a.program.handleKinds.get(owner) === 'tag') fields = TAG_FIELDS;
    else if (a.program.handleKinds.get(owner) === 'map') fields = MAP_FIELDS;
    if (fields) [...fields.values()].forEach((d, k) => push({ label: d.name, kind: 'field', documentation: d.markdown, sortText: String(k).padStart(2, '0') }));
    return out;
  }
  // After `NAME =` or `NAME[...] =`: the calls that return a handle.
  if (isPunct(toks[n - 1], '=') && isAssignmentHead(toks.slice(0, n - 1))) {
    const target = toks[0].text;
    const want = a.program.handleKinds.get(target);
    for (const c of CREATE_CALLS) push(callItem(c, want && CALL_SPECS[c].returns !== want ? '1' : '0'));
    return out;
  }

  // Inside a call's parentheses.
  const call = enclosingCall(toks, n);
  if (call) {
    const spec = CALL_SPECS[call.name];
    const arg = argumentAt(toks, call.open, n, lexLine(src).filter((t) => t.col >= col));
    const atArgStart = arg.argStart === n;
    if (arg.named) {
      valueCompletions(a, line, call.name, arg.named, push);
      return out;
    }
    const slot = spec.positional[arg.index];
    if (atArgStart) {
      if (slot === 'tag' || slot === 'map') handleItems(a, line, slot, push);
      if (slot === 'expr') SYNC_FLAGS.forEach((f, k) => push(flagItem(f.name, '1' + k)));
      if (slot === undefined) {
        for (const name of spec.named) {
          if (arg.given.has(name)) continue;
          const d = NAMED_ARGS.get(name);
          push({ label: name, kind: 'namedArg', insertText: `${name}: `, detail: d ? `default: ${stripTicks(d.defaultValue)}` : undefined, documentation: d?.markdown, sortText: String(spec.named.indexOf(name)).padStart(2, '0') });
        }
      }
      return out;
    }
    // In the middle of a positional expression: after `|` of the sync operations.
    if (slot === 'expr' && isPunct(toks[n - 1], '|')) SYNC_FLAGS.forEach((f, k) => push(flagItem(f.name, '1' + k)));
    else if (slot !== 'tag' && slot !== 'map' && slot !== 'buffer' && isOperator(toks[n - 1])) expressionItems(a, line, push, false);
    return out;
  }

  // Expressions: expect, print, repeat counts.
  if (first.kind === 'ident' && (first.text === 'expect' || first.text === 'print' || first.text === 'repeat')) {
    if (n === 1 || isOperator(toks[n - 1]) || isPunct(toks[n - 1], '(')) {
      const errnoCompare = n >= 2 && (isPunct(toks[n - 1], '==') || isPunct(toks[n - 1], '!=')) && (toks[n - 2].text === 'errno' || toks[n - 2].text === 'cb_error');
      if (errnoCompare) {
        [...ERRNOS.values()].forEach((d, k) => push({ label: d.name, kind: 'errno', detail: `= ${d.value}`, documentation: d.markdown, sortText: '0' + k }));
        push({ label: '0', kind: 'constant', detail: 'success', sortText: '1' });
        return out;
      }
      expressionItems(a, line, push, first.text !== 'repeat');
    }
    return out;
  }
  return out;
}

function stripTicks(s: string): string {
  return s.replace(/`/g, '');
}

/** A token after which an operand comes: an operator, `(` or `,`. */
function isOperator(t: Token | undefined): boolean {
  if (!t || t.kind !== 'punct') return false;
  return !([')', '[', ']', '{', '}', '.', ':'] as string[]).includes(t.text);
}

function isAssignmentHead(toks: Token[]): boolean {
  if (toks.length === 0 || toks[0].kind !== 'ident') return false;
  if (toks.length === 1) return true;
  return isPunct(toks[1], '[') && isPunct(toks[toks.length - 1], ']');
}

function beforeFirstCall(a: Analysis, line: number): boolean {
  const s = a.program.body[0];
  return !s || s.loc.line >= line;
}

function callItem(c: CallName, sort: string): Omit<Completion, 'range'> {
  const d = CALL_DOCS.get(c);
  return { label: c, kind: 'call', detail: d?.signature, documentation: d?.markdown, sortText: sort + c };
}

function flagItem(name: string, sort = '1'): Omit<Completion, 'range'> {
  const d = FLAGS.get(name)!;
  return { label: name, kind: 'flag', detail: `= 0x${d.value.toString(16)}`, documentation: d.markdown, sortText: sort + name };
}

function constantItem(name: string, sort = '1'): Omit<Completion, 'range'> {
  const d = CONSTANTS.get(name)!;
  return { label: name, kind: 'constant', detail: `= 0x${d.value.toString(16)}`, documentation: d.markdown, sortText: sort + name };
}

/** Handles of one kind created on an earlier line (indexed ones with the loop variable). */
function handleItems(a: Analysis, line: number, kind: 'tag' | 'map', push: (c: Omit<Completion, 'range'>) => void): void {
  const loopVar = a.enclosingRepeats(line).map((r) => r.var).filter((v): v is string => !!v).pop();
  const items: { h: HandleInfo; def: number }[] = [];
  for (const h of a.handles.values()) {
    if (h.kind !== kind) continue;
    const defs = h.defs.filter((d) => d.line < line);
    if (!defs.length) continue;
    items.push({ h, def: defs[defs.length - 1].line });
  }
  // Most recently created first.
  items.sort((x, y) => y.def - x.def);
  items.forEach(({ h, def }, i) => {
    push({
      label: h.name,
      kind: 'handle',
      detail: `${kind}${h.indexed ? ' (indexed)' : ''}, created on line ${def}`,
      insertText: h.indexed ? `${h.name}[${loopVar ?? '0'}]` : undefined,
      documentation: handleMarkdown(a, h.name, line),
      sortText: '0' + String(i).padStart(5, '0'),
    });
  });
}

function valueCompletions(a: Analysis, line: number, call: CallName, named: string, push: (c: Omit<Completion, 'range'>) => void): void {
  if (named === 'parent') return handleItems(a, line, 'tag', push);
  if (named === 'flags') {
    const best = CALL_FLAG_NAMES[call] ?? [];
    for (const f of CALL_FLAGS) push(flagItem(f.name, best.includes(f.name) ? '0' + best.indexOf(f.name) : '2'));
    return;
  }
  const best = VALUE_CONSTANTS[named] ?? [];
  best.forEach((c, i) => push(constantItem(c, '0' + i)));
  for (const c of CONSTANTS.keys()) if (!best.includes(c)) push(constantItem(c, '2'));
}

/** Names an expression may read: builtins, zones, handles, loop variables, constants, errnos. */
function expressionItems(a: Analysis, line: number, push: (c: Omit<Completion, 'range'>) => void, withHandles: boolean): void {
  for (const b of EXPR_BUILTINS) push({ label: b, kind: 'variable', documentation: BUILTINS.get(b)?.markdown, sortText: '0' + b });
  push({ label: 'zone0', kind: 'variable', detail: 'the first bounce zone', documentation: docFor('zone0'), sortText: '1zone0' });
  for (const r of a.enclosingRepeats(line)) if (r.var) push({ label: r.var, kind: 'variable', detail: `loop variable (line ${r.line})`, sortText: '0' + r.var });
  if (withHandles) {
    handleItems(a, line, 'tag', (c) => push({ ...c, sortText: '2' + c.label }));
    handleItems(a, line, 'map', (c) => push({ ...c, sortText: '2' + c.label }));
  }
  for (const [k, d] of ERRNOS) push({ label: k, kind: 'errno', detail: `= ${d.value}`, documentation: d.markdown, sortText: '3' + k });
  for (const k of CONSTANTS.keys()) push(constantItem(k, '4'));
  for (const f of FLAGS.keys()) push(flagItem(f, '5'));
}

// ---------------------------------------------------------------------------------------------
// Document symbols

/** Tags and maps (at their create lines) and repeat blocks as containers, in source order. */
export function symbolsOf(text: string, file = '<trace>'): DocSymbol[] {
  return symbolsOfAnalysis(analyze(text, file));
}

export function symbolsOfAnalysis(a: Analysis): DocSymbol[] {
  const walk = (stmts: Stmt[]): DocSymbol[] => {
    const out: DocSymbol[] = [];
    for (const s of stmts) {
      if (s.kind === 'repeat') {
        const children = walk(s.body);
        const head = a.lineText(s.loc.line).trim().replace(/\s*\{\s*(#.*)?$/, '');
        const endLen = a.lineText(s.endLine).length;
        out.push({
          name: head,
          kind: 'repeat',
          detail: children.length ? `${children.length} handle${children.length === 1 ? '' : 's'}` : '',
          range: { line: s.loc.line, col: s.loc.col, endLine: s.endLine, endCol: s.endLine === s.loc.line ? s.loc.endCol : endLen + 1 },
          selection: { line: s.loc.line, col: s.loc.col, endCol: s.loc.col + 'repeat'.length },
          children,
        });
      } else if (s.kind === 'call' && s.target && CALL_SPECS[s.call].returns) {
        const kind = CALL_SPECS[s.call].returns!;
        const src = a.lineText(s.line);
        const name = src.slice(s.target.loc.col - 1, s.target.loc.endCol - 1);
        const args = src.slice(s.callCol - 1, s.endCol - 1).replace(/^\w+/, '');
        out.push({
          name,
          kind,
          detail: args.length > 80 ? args.slice(0, 79) + '…' : args,
          range: { line: s.line, col: s.col, endLine: s.line, endCol: s.endCol },
          selection: { line: s.line, col: s.target.loc.col, endCol: s.target.loc.endCol },
          children: [],
        });
      }
    }
    return out;
  };
  return walk(a.program.body);
}

// ---------------------------------------------------------------------------------------------
// Definition and references

function handleAt(a: Analysis, line: number, col: number): HandleInfo | undefined {
  const occ = a.occurrencesOn(line).find((o) => o.col <= col && col <= o.endCol);
  return occ ? a.handles.get(occ.name) : undefined;
}

/** The create line(s) of the handle at a position: the latest one at or before the position,
 * else the first one after it. Empty when the position is not on a handle. */
export function definitionAt(text: string, line: number, col: number, file = '<trace>'): Location1[] {
  return definitionOf(analyze(text, file), line, col);
}

export function definitionOf(a: Analysis, line: number, col: number): Location1[] {
  const h = handleAt(a, line, col);
  if (!h || !h.defs.length) return [];
  const d = nearestDefs(h.defs, line, 1)[0];
  return [{ line: d.line, col: d.col, endCol: d.endCol }];
}

/** Every mention of the handle at a position (`rx[i]` and `rx[0]` are the same handle `rx`). */
export function referencesAt(text: string, line: number, col: number, includeDeclaration = true, file = '<trace>'): Location1[] {
  return referencesOf(analyze(text, file), line, col, includeDeclaration);
}

export function referencesOf(a: Analysis, line: number, col: number, includeDeclaration = true): Location1[] {
  const h = handleAt(a, line, col);
  if (!h) return [];
  return h.refs.filter((r) => includeDeclaration || !r.def).map((r) => ({ line: r.line, col: r.col, endCol: r.endCol }));
}


// ---------------------------------------------------------------------------------------------
// Evaluatable expressions (debug hover, inline values)

const NOT_STATE = new Set<string>([
  ...Object.keys(CALL_SPECS), ...CONSTANTS.keys(), ...FLAGS.keys(), ...ERRNOS.keys(), ...KEYWORDS.keys(), ...KERNEL_IDS, 'maxmem', 'hw',
]);

/** A state reference on one line: `zone0.total_bpages`, `rx[i].map_count`, `errno`, `m`. */
export interface StateRef extends Range1 {
  expression: string;
}

/** Every state reference of a line (a name that is not a call, constant, flag, errno name or
 * keyword, with its index and fields), skipping named-argument names. */
export function stateRefsOn(lineText: string, line = 1): StateRef[] {
  const toks = lexLine(lineText);
  const out: StateRef[] = [];
  if (toks[0]?.kind === 'ident' && (toks[0].text === 'log' || toks[0].text === 'sysctl' || toks[0].text === 'kernel' || toks[0].text === 'machine')) return out;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.kind !== 'ident' || isPunct(toks[i - 1], '.') || NOT_STATE.has(t.text) || isPunct(toks[i + 1], ':')) continue;
    if (toks[i - 1]?.kind === 'ident' && toks[i - 1].text === 'as') continue;
    let j = i + 1;
    if (isPunct(toks[j], '[')) {
      let depth = 0;
      for (; j < toks.length; j++) {
        if (isPunct(toks[j], '[')) depth++;
        else if (isPunct(toks[j], ']') && --depth === 0) { j++; break; }
      }
    }
    while (isPunct(toks[j], '.') && toks[j + 1]?.kind === 'ident') j += 2;
    const end = toks[j - 1].endCol;
    out.push({ line, col: t.col, endCol: end, expression: lineText.slice(t.col - 1, end - 1) });
    i = j - 1;
  }
  return out;
}

/** The expression a debug hover at a column evaluates: the state reference under the cursor,
 * cut after the field the cursor is on (`zone0` of `zone0.total_bpages` is the zone). */
export function evaluatableAt(lineText: string, col: number, line = 1): StateRef | undefined {
  const toks = lexLine(lineText);
  const i = tokenAt(toks, col);
  if (i < 0 || toks[i].kind !== 'ident') return undefined;
  const t = toks[i];
  const ref = stateRefsOn(lineText, line).find((r) => r.col <= t.col && t.col < r.endCol);
  if (!ref) return undefined;
  let end: number;
  if (t.col === ref.col) {
    // The base: a name, or an indexed handle up to its `]`.
    end = t.endCol;
    if (isPunct(toks[i + 1], '[')) {
      let depth = 0;
      for (let j = i + 1; j < toks.length; j++) {
        if (isPunct(toks[j], '[')) depth++;
        else if (isPunct(toks[j], ']') && --depth === 0) { end = toks[j].endCol; break; }
      }
    }
  } else if (isPunct(toks[i - 1], '.')) {
    end = t.endCol; // a field: up to it
  } else {
    // A name inside an index (`i` of `rx[i]`): on its own.
    if (NOT_STATE.has(t.text)) return undefined;
    return { line, col: t.col, endCol: t.endCol, expression: t.text };
  }
  return { line, col: ref.col, endCol: end, expression: lineText.slice(ref.col - 1, end - 1) };
}

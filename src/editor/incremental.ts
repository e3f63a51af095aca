// Incremental re-analysis for the common edit: typing inside one statement line of a large
// trace. The trace language is line-oriented, so when one line changes, the line count stays
// the same and neither the old nor the new line touches the block structure (braces, repeat),
// the header (machine, kernel) or the handle names (a create assignment's target and call),
// the program is the old one with that line's statement replaced: the parser runs on the one
// line (at its own line number, inside its loop variables, with every handle declared), and
// its diagnostics replace that line's. The result equals a full parse (test/editor-incremental
// checks it on every line of the fixtures); anything else falls back to the full parse.

import { Analysis } from './analysis';
import type { Diagnostic, Expr, Program, Stmt } from '../trace/ast';
import { lexLine, type Token } from '../trace/lexer';
import { parse, readsErrno } from '../trace/parser';

const STRUCTURAL = new Set(['repeat', 'machine', 'kernel']);

/** A create assignment's target and call as the parser's prescan sees it, '' for none,
 * undefined for a line the fast path cannot take. */
function lineShape(toks: Token[]): string | undefined {
  if (toks.length === 0) return '';
  const t0 = toks[0];
  if (t0.kind === 'ident' && STRUCTURAL.has(t0.text)) return undefined;
  if (toks.some((t) => t.kind === 'punct' && (t.text === '{' || t.text === '}'))) return undefined;
  if (t0.kind !== 'ident') return '';
  let j = 1;
  if (toks[1]?.kind === 'punct' && toks[1].text === '[') {
    let depth = 0;
    for (; j < toks.length; j++) {
      const t = toks[j];
      if (t.kind === 'punct' && t.text === '[') depth++;
      else if (t.kind === 'punct' && t.text === ']' && --depth === 0) { j++; break; }
    }
  }
  const eq = toks[j];
  const call = toks[j + 1];
  if (eq?.kind === 'punct' && eq.text === '=' && call?.kind === 'ident' && (call.text === 'bus_dma_tag_create' || call.text === 'bus_dmamap_create')) {
    return `${t0.text}=${call.text}`;
  }
  // Any other assignment-looking line: the prescan ignores it, so it does not matter.
  return '';
}

/** The analysis of `text` from `prev` when they differ in one statement line, else undefined. */
export function reparseOneLine(prev: Analysis, text: string): Analysis | undefined {
  if (prev.text.length === 0 || text.length === 0) return undefined;
  const oldLines = prev.lines;
  // Cheap rejections before splitting: a different number of newlines.
  const lines = text.split(/\r?\n/);
  if (lines.length !== oldLines.length) return undefined;
  let k = -1;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== oldLines[i]) {
      if (k >= 0) return undefined;
      k = i;
    }
  }
  if (k < 0) return undefined;
  const line = k + 1;
  const oldToks = lexLine(oldLines[k]);
  const newToks = lexLine(lines[k]);
  const oldShape = lineShape(oldToks);
  const newShape = lineShape(newToks);
  if (oldShape === undefined || newShape === undefined || oldShape !== newShape) return undefined;
  if (prev.parseDiagnostics.some((d) => d.message.includes('is used for both tags and maps'))) return undefined;
  const program = prev.program;
  // Header lines must come before the first statement: an edit at or before it can change that.
  const first = program.body[0];
  if (!first || line <= first.loc.line) return undefined;

  // The line on its own: at its line number, inside its loop variables, every handle declared.
  const loopVars = prev.enclosingRepeats(line).map((r) => r.var).filter((v): v is string => !!v);
  if (loopVars.length > k) return undefined;
  const pre: string[] = new Array(k - loopVars.length).fill('');
  for (const v of loopVars) pre.push(`repeat 1 as ${v} {`);
  const post: string[] = loopVars.map(() => '}');
  for (const [name, kind] of program.handleKinds) post.push(`${name} = ${kind === 'tag' ? 'bus_dma_tag_create' : 'bus_dmamap_create'}(${kind === 'map' ? firstTag(program) ?? '' : ''})`);
  const mini = parse([...pre, lines[k], ...post].join('\n'), program.file, { keepTrees: true });
  const lineDiags = mini.diagnostics.filter((d) => d.line === line);
  const stmt = mini.program.lines.get(line);
  if (stmt?.kind === 'repeat') return undefined;

  // Splice it into a copy of the old program's block.
  const parents = blockOf(prev);
  const oldStmt = program.lines.get(line);
  let block: Stmt[];
  if (oldStmt) block = parents.get(oldStmt)!;
  else {
    const rs = prev.enclosingRepeats(line);
    const inner = rs[rs.length - 1];
    const r = inner ? (findRepeat(program.body, inner.line)) : undefined;
    if (inner && !r) return undefined;
    block = r ? r.body : program.body;
  }
  if (!block) return undefined;
  let pos = oldStmt ? block.indexOf(oldStmt) : lowerBound(block, line);
  if (pos < 0) return undefined;
  if (oldStmt) block.splice(pos, 1);
  if (stmt) block.splice(pos, 0, stmt);
  // A fresh index of statements by line (Program['lines'] has a Map's API).
  const Index = program.lines.constructor as new () => Program['lines'];
  const newLines = new Index();
  for (const [l, s] of program.lines) if (l !== line) newLines.set(l, s);
  if (stmt) newLines.set(line, stmt);
  // The errno check of the statement before and of this one.
  const from = Math.max(0, pos - 1);
  for (let i = from; i <= Math.min(block.length - 1, pos + 1); i++) markChecked(block, i);

  // `body` (made of every row) is the program now: the old top-level rows are stale.
  const next: Program = { ...program, source: text, lines: newLines, top: undefined, plain: undefined };
  const diagnostics: Diagnostic[] = prev.parseDiagnostics.filter((d) => d.line !== line);
  diagnostics.push(...lineDiags);
  diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
  const a = new Analysis(text, prev.file, { program: next, diagnostics, lines });
  // The old analysis shares the blocks now: it must not be used again.
  parentCache.set(a, parents);
  if (stmt) parents.set(stmt, block);
  if (oldStmt) parents.delete(oldStmt);
  return a;
}

function firstTag(p: Program): string | undefined {
  for (const [n, k] of p.handleKinds) if (k === 'tag') return n;
  return undefined;
}

const parentCache = new WeakMap<Analysis, Map<Stmt, Stmt[]>>();

function blockOf(a: Analysis): Map<Stmt, Stmt[]> {
  let m = parentCache.get(a);
  if (m) return m;
  m = new Map();
  const walk = (stmts: Stmt[]) => {
    for (const s of stmts) {
      m!.set(s, stmts);
      if (s.kind === 'repeat') walk(s.body);
    }
  };
  walk(a.program.body);
  parentCache.set(a, m);
  return m;
}

function findRepeat(stmts: Stmt[], line: number): (Stmt & { kind: 'repeat' }) | undefined {
  for (const s of stmts) {
    if (s.kind !== 'repeat') continue;
    if (s.loc.line === line) return s;
    if (s.loc.line < line && (s.endLine >= line || s.endLine === s.loc.line)) {
      const r = findRepeat(s.body, line);
      if (r) return r;
    }
  }
  return undefined;
}

function lowerBound(block: Stmt[], line: number): number {
  let lo = 0;
  let hi = block.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (block[mid].loc.line < line) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// The parser's own rule (readsErrno from src/trace/parser.ts), for one statement.
function markChecked(stmts: Stmt[], i: number): void {
  const s = stmts[i];
  if (s?.kind !== 'call') return;
  const n = stmts[i + 1];
  s.checked = !!n && n.kind === 'expect' && readsErrno(n.expr);
}

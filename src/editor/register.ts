// VS Code glue of the editor's language features for `busdma`: diagnostics as you type (in a
// worker thread, debounced, stale runs cancelled), hover, completion, document symbols, go to
// definition, find references, inline values and evaluatable expressions while debugging.
// The logic is in analysis.ts, service.ts and inlineValues.ts; this file only converts
// positions (VS Code's are 0-based, ours 1-based) and results.

import * as vscode from 'vscode';
import type { Completion, CompletionKind, DocSymbol, EditorDiagnostic, EditorSeverity, Hover, Location1, Range1 } from './analysis';
import { evaluatableAt, stateRefsOn } from './analysis';
import { DiagnosticsScheduler, ServiceClient, type DocumentLike } from './serviceClient';
import type { DiagnosticsResult, ServiceRequest } from './service';
import {
  InlineTracker, inlineTexts, isCallLine, lineInfoFromSteps, parseEvaluated, snapshotExpressions, snapshotFrom,
  type LineInfo, type ZoneSteps,
} from './inlineValues';
import type { TimelineResponseBody } from '../timeline/window';
import { lexLine } from '../trace/lexer';

const LANGUAGE = 'busdma';
const SELECTOR: vscode.DocumentSelector = { language: LANGUAGE };
/** Below this size a query sends the current text, so answers are exact; above, the service
 * answers from its last text with the cursor line's current text (the next diagnostics run
 * brings it up to date). */
const EXACT_QUERY_CHARS = 512 * 1024;

export function registerLanguageFeatures(context: vscode.ExtensionContext): void {
  const client = new ServiceClient(context.asAbsolutePath('dist/editorWorker.js'));
  const collection = vscode.languages.createDiagnosticCollection(LANGUAGE);
  const scheduler = new DiagnosticsScheduler(client, (r) => publish(collection, r));
  context.subscriptions.push(collection, { dispose: () => { scheduler.dispose(); client.dispose(); } });

  // ---- diagnostics ---------------------------------------------------------------------------
  const isTrace = (d: vscode.TextDocument) => d.languageId === LANGUAGE;
  const open = (d: vscode.TextDocument) => { if (isTrace(d)) scheduler.schedule(docLike(d), true); };
  vscode.workspace.textDocuments.forEach(open);
  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument(open),
    vscode.workspace.onDidChangeTextDocument((e) => { if (isTrace(e.document) && e.contentChanges.length) scheduler.schedule(docLike(e.document)); }),
    vscode.workspace.onDidCloseTextDocument((d) => {
      if (!isTrace(d)) return;
      collection.delete(d.uri);
      scheduler.close(d.uri.toString());
    }),
  );

  // ---- queries -------------------------------------------------------------------------------
  async function query<T>(doc: vscode.TextDocument, req: ServiceRequest): Promise<T | undefined> {
    const uri = doc.uri.toString();
    if (client.heldVersion(uri) !== doc.version && doc.getText().length <= EXACT_QUERY_CHARS) {
      client.update(uri, doc.version, doc.getText(), fileOf(doc));
    } else if (client.heldVersion(uri) === -1) {
      client.update(uri, doc.version, doc.getText(), fileOf(doc));
    }
    try {
      return ((await client.request(req)) ?? undefined) as T | undefined;
    } catch {
      return undefined; // cancelled by a newer diagnostics run
    }
  }
  const at = (doc: vscode.TextDocument, p: vscode.Position) => ({
    uri: doc.uri.toString(), version: doc.version, line: p.line + 1, col: p.character + 1, lineText: doc.lineAt(p.line).text,
  });

  context.subscriptions.push(
    vscode.languages.registerHoverProvider(SELECTOR, {
      async provideHover(doc, pos) {
        const h = await query<Hover>(doc, { op: 'hover', ...at(doc, pos) });
        if (!h) return undefined;
        const md = new vscode.MarkdownString(h.markdown);
        return new vscode.Hover(md, range(h.range));
      },
    }),
    vscode.languages.registerCompletionItemProvider(SELECTOR, {
      async provideCompletionItems(doc, pos) {
        const items = await query<Completion[]>(doc, { op: 'completion', ...at(doc, pos) });
        return items?.map(completionItem);
      },
    }, '.', '(', ',', ' ', ':'),
    vscode.languages.registerDocumentSymbolProvider(SELECTOR, {
      async provideDocumentSymbols(doc) {
        const syms = await query<DocSymbol[]>(doc, { op: 'symbols', uri: doc.uri.toString(), version: doc.version });
        return syms?.map(documentSymbol);
      },
    }, { label: 'busdma' }),
    vscode.languages.registerDefinitionProvider(SELECTOR, {
      async provideDefinition(doc, pos) {
        const locs = await query<Location1[]>(doc, { op: 'definition', ...at(doc, pos) });
        return locs?.map((l) => new vscode.Location(doc.uri, range(l)));
      },
    }),
    vscode.languages.registerReferenceProvider(SELECTOR, {
      async provideReferences(doc, pos, ctx) {
        const { lineText: _ignored, ...p } = at(doc, pos);
        const locs = await query<Location1[]>(doc, { op: 'references', ...p, includeDeclaration: ctx.includeDeclaration });
        return locs?.map((l) => new vscode.Location(doc.uri, range(l)));
      },
    }),
    vscode.languages.registerEvaluatableExpressionProvider(SELECTOR, {
      provideEvaluatableExpression(doc, pos) {
        const r = evaluatableAt(doc.lineAt(pos.line).text, pos.character + 1, pos.line + 1);
        return r ? new vscode.EvaluatableExpression(range(r), r.expression) : undefined;
      },
    }),
  );

  // ---- inline values -------------------------------------------------------------------------
  const debugState = new DebugStateTracker();
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterTrackerFactory(LANGUAGE, { createDebugAdapterTracker: (s) => debugState.trackerFor(s) }),
    vscode.debug.onDidTerminateDebugSession((s) => debugState.forget(s)),
    vscode.languages.registerInlineValuesProvider(SELECTOR, {
      provideInlineValues: (doc, viewPort, ctx) => provideInlineValues(debugState, doc, viewPort, ctx),
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Conversions

function fileOf(doc: vscode.TextDocument): string {
  return doc.uri.scheme === 'file' ? doc.uri.fsPath : doc.uri.toString();
}

function docLike(d: vscode.TextDocument): DocumentLike {
  return { uri: d.uri.toString(), version: d.version, file: fileOf(d), getText: () => d.getText() };
}

function range(r: Range1): vscode.Range {
  return new vscode.Range(r.line - 1, r.col - 1, r.line - 1, r.endCol - 1);
}

const SEVERITY: Record<EditorSeverity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

function diagnostic(d: EditorDiagnostic): vscode.Diagnostic {
  const v = new vscode.Diagnostic(range(d), d.message, SEVERITY[d.severity]);
  v.source = 'busdma';
  if (d.code) v.code = d.code;
  return v;
}

function publish(collection: vscode.DiagnosticCollection, r: DiagnosticsResult): void {
  collection.set(vscode.Uri.parse(r.uri), r.diagnostics.map(diagnostic));
}

const COMPLETION_KIND: Record<CompletionKind, vscode.CompletionItemKind> = {
  call: vscode.CompletionItemKind.Function,
  keyword: vscode.CompletionItemKind.Keyword,
  handle: vscode.CompletionItemKind.Variable,
  field: vscode.CompletionItemKind.Field,
  constant: vscode.CompletionItemKind.Constant,
  flag: vscode.CompletionItemKind.EnumMember,
  errno: vscode.CompletionItemKind.Constant,
  namedArg: vscode.CompletionItemKind.Property,
  kernel: vscode.CompletionItemKind.EnumMember,
  variable: vscode.CompletionItemKind.Variable,
  setting: vscode.CompletionItemKind.Property,
};

function completionItem(c: Completion): vscode.CompletionItem {
  const item = new vscode.CompletionItem(c.label, COMPLETION_KIND[c.kind]);
  item.detail = c.detail;
  if (c.documentation) item.documentation = new vscode.MarkdownString(c.documentation);
  if (c.insertText !== undefined) item.insertText = c.insertText;
  if (c.sortText !== undefined) item.sortText = c.sortText;
  item.range = range(c.range);
  return item;
}

const SYMBOL_KIND: Record<DocSymbol['kind'], vscode.SymbolKind> = {
  tag: vscode.SymbolKind.Struct,
  map: vscode.SymbolKind.Variable,
  repeat: vscode.SymbolKind.Namespace,
};

function documentSymbol(s: DocSymbol): vscode.DocumentSymbol {
  const full = new vscode.Range(s.range.line - 1, s.range.col - 1, s.range.endLine - 1, s.range.endCol - 1);
  const sel = range(s.selection);
  const d = new vscode.DocumentSymbol(s.name, s.detail, SYMBOL_KIND[s.kind], full, full.contains(sel) ? sel : full);
  d.children = s.children.map(documentSymbol);
  return d;
}

// ---------------------------------------------------------------------------------------------
// Inline values

/** What the glue learns from the DAP traffic of each busdma session: the number of stops and
 * whether the last move was one step forward. */
class DebugStateTracker {
  private sessions = new Map<string, { stops: number; forward: boolean; lastStop: number; tracker?: InlineTracker; cache?: { stop: number; uri: string; info: ReadonlyMap<number, LineInfo> } }>();

  state(id: string) {
    let s = this.sessions.get(id);
    if (!s) this.sessions.set(id, (s = { stops: 0, forward: false, lastStop: -1 }));
    return s;
  }

  trackerFor(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    const st = this.state(session.id);
    return {
      onWillReceiveMessage: (m: { type?: string; command?: string }) => {
        if (m?.type !== 'request') return;
        if (m.command === 'next' || m.command === 'stepIn') st.forward = true;
        else if (['continue', 'stepBack', 'reverseContinue', 'restart', 'goto', 'stepOut', 'travel', 'launch'].includes(m.command ?? '')) st.forward = false;
      },
      onDidSendMessage: (m: { type?: string; event?: string }) => {
        if (m?.type === 'event' && (m.event === 'stopped' || m.event === 'invalidated')) st.stops++;
      },
    };
  }

  forget(session: vscode.DebugSession): void {
    this.sessions.delete(session.id);
  }
}

async function evaluate(session: vscode.DebugSession, frameId: number, expression: string): Promise<number | undefined> {
  try {
    const r = (await session.customRequest('evaluate', { expression, frameId, context: 'watch' })) as { result?: string };
    return r?.result === undefined ? undefined : parseEvaluated(r.result);
  } catch {
    return undefined;
  }
}

/** Exact per-line information from the adapter's `timeline` custom request, when it has one. */
async function timelineInfo(session: vscode.DebugSession, frameId: number): Promise<Map<number, LineInfo> | undefined> {
  try {
    const probe = (await session.customRequest('timeline', { columns: 1 })) as TimelineResponseBody;
    const cur = probe?.currentStep;
    if (cur === undefined || cur < 1) return cur === 0 ? new Map() : undefined;
    const from = Math.max(1, cur - 4095);
    const body = (await session.customRequest('timeline', { from, to: cur, columns: cur - from + 1 })) as TimelineResponseBody;
    const w = body.windows[0];
    if (!w || w.columns !== cur - from + 1) return undefined;
    const zones: ZoneSteps[] = w.zones.map((z) => ({ name: z.name, total: z.total.last, free: z.free.last, reserved: z.reserved.last, active: z.active.last }));
    const info = lineInfoFromSteps(w.fromStep, w.lines, zones, cur);
    const lastLine = w.lines[cur - from];
    const errno = await evaluate(session, frameId, 'errno');
    if (lastLine !== undefined && errno !== undefined) info.set(lastLine, { zones: info.get(lastLine)?.zones ?? [], errno });
    return info;
  } catch {
    return undefined;
  }
}

async function snapshotInfo(debugState: DebugStateTracker, session: vscode.DebugSession, doc: vscode.TextDocument, frameId: number, stopLine: number): Promise<ReadonlyMap<number, LineInfo>> {
  const st = debugState.state(session.id);
  const zoneCount = (await evaluate(session, frameId, 'global.zone_count')) ?? 0;
  const exprs = snapshotExpressions(zoneCount);
  const values = await Promise.all(exprs.map((e) => evaluate(session, frameId, e)));
  st.tracker ??= new InlineTracker((line) => line >= 1 && line <= doc.lineCount && isCallLine(doc.lineAt(line - 1).text));
  // One attribution per stop: the provider is asked again when the view scrolls.
  const forward = st.forward && st.lastStop !== st.stops;
  st.lastStop = st.stops;
  return st.tracker.stop(stopLine, snapshotFrom(values), forward);
}

async function provideInlineValues(
  debugState: DebugStateTracker, doc: vscode.TextDocument, viewPort: vscode.Range, ctx: vscode.InlineValueContext,
): Promise<vscode.InlineValue[] | undefined> {
  const session = vscode.debug.activeDebugSession;
  if (!session || session.type !== LANGUAGE) return undefined;
  const st = debugState.state(session.id);
  const uri = doc.uri.toString();
  let info: ReadonlyMap<number, LineInfo>;
  if (st.cache && st.cache.stop === st.stops && st.cache.uri === uri) info = st.cache.info;
  else {
    info = (await timelineInfo(session, ctx.frameId)) ?? (await snapshotInfo(debugState, session, doc, ctx.frameId, ctx.stoppedLocation.start.line + 1));
    st.cache = { stop: st.stops, uri, info };
  }
  const first = viewPort.start.line + 1;
  const last = Math.min(viewPort.end.line + 1, ctx.stoppedLocation.end.line + 1);
  const out: vscode.InlineValue[] = [];
  const lineText = (l: number) => (l >= 1 && l <= doc.lineCount ? doc.lineAt(l - 1).text : undefined);
  for (const t of inlineTexts(lineText, info, first, last)) {
    out.push(new vscode.InlineValueText(new vscode.Range(t.line - 1, t.col - 1, t.line - 1, t.col - 1), t.text));
  }
  // State read by expect and print lines above the stop: the adapter evaluates each.
  for (let l = first; l <= last && out.length < 200; l++) {
    const text = doc.lineAt(l - 1).text;
    const head = lexLine(text)[0];
    if (!head || head.kind !== 'ident' || (head.text !== 'expect' && head.text !== 'print')) continue;
    for (const r of stateRefsOn(text, l)) {
      if (r.expression.includes('.') || r.expression === 'errno' || r.expression === 'cb_error' || r.expression === 'leaked_bpages') {
        out.push(new vscode.InlineValueEvaluatableExpression(range(r), r.expression));
      }
    }
  }
  return out;
}

// The VS Code glue (src/editor/register.ts) against a minimal stand-in for the `vscode` module:
// what it registers for `busdma`, how it converts positions (0-based there, 1-based in the
// pure modules), diagnostics on open / change / close, and inline values from a session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Module from 'node:module';
import { parse } from '../src/trace/parser';
import { recordTimeline } from '../src/trace/timeline';
import { answerTimelineRequest, type TimelineRequestArgs } from '../src/timeline/window';

type Listener<T> = (e: T) => void;
function emitter<T>() {
  const ls: Listener<T>[] = [];
  const event = (l: Listener<T>) => { ls.push(l); return { dispose() { ls.splice(ls.indexOf(l), 1); } }; };
  return { event, fire: (e: T) => { for (const l of [...ls]) l(e); } };
}

class Position { constructor(readonly line: number, readonly character: number) {} }
class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: number, b: number, c: number, d: number) { this.start = new Position(a, b); this.end = new Position(c, d); }
  contains(r: Range): boolean {
    const le = (p: Position, q: Position) => p.line < q.line || (p.line === q.line && p.character <= q.character);
    return le(this.start, r.start) && le(r.end, this.end);
  }
}
class Uri {
  constructor(readonly value: string) {}
  get scheme() { return this.value.split(':')[0]; }
  get fsPath() { return this.value.replace(/^file:\/\//, ''); }
  toString() { return this.value; }
  static parse(v: string) { return new Uri(v); }
}
class Diagnostic { source?: string; code?: string; constructor(readonly range: Range, readonly message: string, readonly severity: number) {} }
class MarkdownString { constructor(readonly value: string) {} }
class Hover { constructor(readonly contents: MarkdownString, readonly range: Range) {} }
class CompletionItem { detail?: string; documentation?: MarkdownString; insertText?: string; sortText?: string; range?: Range; constructor(readonly label: string, readonly kind: number) {} }
class DocumentSymbol { children: DocumentSymbol[] = []; constructor(readonly name: string, readonly detail: string, readonly kind: number, readonly range: Range, readonly selectionRange: Range) {} }
class Location { constructor(readonly uri: Uri, readonly range: Range) {} }
class EvaluatableExpression { constructor(readonly range: Range, readonly expression: string) {} }
class InlineValueText { constructor(readonly range: Range, readonly text: string) {} }
class InlineValueEvaluatableExpression { constructor(readonly range: Range, readonly expression: string) {} }

const providers: Record<string, { selector: unknown; provider: any; extra: unknown[] }> = {};
const reg = (kind: string) => (selector: unknown, provider: unknown, ...extra: unknown[]) => {
  providers[kind] = { selector, provider, extra };
  return { dispose() {} };
};
const collections = new Map<string, Diagnostic[]>();
const opened = emitter<Doc>();
const changed = emitter<{ document: Doc; contentChanges: unknown[] }>();
const closed = emitter<Doc>();
const trackerFactories: { createDebugAdapterTracker(s: unknown): any }[] = [];
let activeSession: any;

class Doc {
  version = 1;
  constructor(readonly uri: Uri, public text: string, readonly languageId = 'busdma') {}
  getText() { return this.text; }
  get lineCount() { return this.text.split('\n').length; }
  lineAt(l: number) { return { text: this.text.split('\n')[l] }; }
}

const vscodeStub = {
  Position, Range, Uri, Diagnostic, MarkdownString, Hover, CompletionItem, DocumentSymbol, Location,
  EvaluatableExpression, InlineValueText, InlineValueEvaluatableExpression,
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
  CompletionItemKind: { Function: 2, Keyword: 13, Variable: 5, Field: 4, Constant: 20, EnumMember: 19, Property: 9 },
  SymbolKind: { Struct: 22, Variable: 12, Namespace: 2 },
  languages: {
    createDiagnosticCollection: () => ({
      set: (u: Uri, d: Diagnostic[]) => collections.set(u.toString(), d),
      delete: (u: Uri) => collections.delete(u.toString()),
      dispose() {},
    }),
    registerHoverProvider: reg('hover'),
    registerCompletionItemProvider: reg('completion'),
    registerDocumentSymbolProvider: reg('symbols'),
    registerDefinitionProvider: reg('definition'),
    registerReferenceProvider: reg('references'),
    registerEvaluatableExpressionProvider: reg('evaluatable'),
    registerInlineValuesProvider: reg('inline'),
  },
  workspace: {
    textDocuments: [] as Doc[],
    onDidOpenTextDocument: opened.event,
    onDidChangeTextDocument: changed.event,
    onDidCloseTextDocument: closed.event,
  },
  debug: {
    get activeDebugSession() { return activeSession; },
    registerDebugAdapterTrackerFactory: (_t: string, f: any) => { trackerFactories.push(f); return { dispose() {} }; },
    onDidTerminateDebugSession: emitter<unknown>().event,
  },
};

const M = Module as unknown as { _load: (req: string, ...rest: unknown[]) => unknown };
const load = M._load;
M._load = (req: string, ...rest: unknown[]) => (req === 'vscode' ? vscodeStub : load(req, ...rest));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { registerLanguageFeatures } = require('../src/editor/register') as typeof import('../src/editor/register');

const TEXT = [
  't = bus_dma_tag_create(lowaddr: BUS_SPACE_MAXADDR_32BIT, maxsize: 8K, nsegments: 2)',
  'm = bus_dmamap_create(t)',
  'bus_dmamap_load(t, m, 0x1_0000_0000:4K, flags: BUS_DMA_NOWAIT)',
  'expect zone0.free_bpages == 1',
  'bus_dmamap_unload(t, nosuch)',
].join('\n');
const doc = new Doc(new Uri('file:///w/a.busdma'), TEXT);
vscodeStub.workspace.textDocuments.push(doc);
const subs: { dispose(): void }[] = [];
// No dist/editorWorker.js under this path: the service runs in process.
registerLanguageFeatures({ subscriptions: subs, asAbsolutePath: (p: string) => `/nonexistent/${p}` } as never);

const until = async (f: () => boolean) => {
  const end = Date.now() + 5000;
  while (!f() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
};

test('registers every provider for the busdma language, completion with its trigger characters', () => {
  for (const k of ['hover', 'completion', 'symbols', 'definition', 'references', 'evaluatable', 'inline']) {
    assert.deepEqual(providers[k].selector, { language: 'busdma' }, k);
  }
  assert.deepEqual(providers.completion.extra, ['.', '(', ',', ' ', ':']);
});

test('diagnostics for open documents at once, after edits (debounced), cleared on close', async () => {
  await until(() => collections.has(doc.uri.toString()));
  const ds = collections.get(doc.uri.toString())!;
  const unknown = ds.find((d) => d.code === 'unknown-handle')!;
  assert.deepEqual([unknown.range.start, unknown.range.end, unknown.severity, unknown.source], [new Position(4, 21), new Position(4, 27), 0, 'busdma']);
  const hint = ds.find((d) => d.code === 'unchecked-errno')!;
  assert.equal(hint.severity, 3);
  doc.text = TEXT.replace('nosuch', 'm');
  doc.version = 2;
  changed.fire({ document: doc, contentChanges: [{}] });
  await until(() => !collections.get(doc.uri.toString())!.some((d) => d.code === 'unknown-handle'));
  assert.ok(!collections.get(doc.uri.toString())!.some((d) => d.code === 'unknown-handle'));
  const other = new Doc(new Uri('file:///w/b.busdma'), 'busdma_thread()\n');
  opened.fire(other);
  await until(() => collections.has(other.uri.toString()));
  closed.fire(other);
  assert.equal(collections.has(other.uri.toString()), false);
  opened.fire(new Doc(new Uri('file:///w/c.txt'), 'x', 'plaintext'));
});

test('hover, completion, symbols, definition and references convert positions both ways', async () => {
  const h = await providers.hover.provider.provideHover(doc, new Position(2, 3));
  assert.match(h.contents.value, /bus_dmamap_load/);
  assert.deepEqual([h.range.start, h.range.end], [new Position(2, 0), new Position(2, 15)]);
  const c: CompletionItem[] = await providers.completion.provider.provideCompletionItems(doc, new Position(3, 13));
  assert.deepEqual(c.slice(0, 2).map((x) => [x.label, x.kind]), [['total_bpages', 4], ['free_bpages', 4]]);
  assert.deepEqual(c[0].range!.start, new Position(3, 13));
  const syms: DocumentSymbol[] = await providers.symbols.provider.provideDocumentSymbols(doc);
  assert.deepEqual(syms.map((s) => [s.name, s.kind, s.selectionRange.start, s.selectionRange.end]), [['t', 22, new Position(0, 0), new Position(0, 1)], ['m', 12, new Position(1, 0), new Position(1, 1)]]);
  const defs: Location[] = await providers.definition.provider.provideDefinition(doc, new Position(2, 19));
  assert.deepEqual(defs.map((d) => [d.uri.toString(), d.range.start]), [['file:///w/a.busdma', new Position(1, 0)]]);
  const refs: Location[] = await providers.references.provider.provideReferences(doc, new Position(0, 0), { includeDeclaration: false });
  assert.deepEqual(refs.map((r) => r.range.start), [new Position(1, 22), new Position(2, 16), new Position(4, 18)]);
  const e = providers.evaluatable.provider.provideEvaluatableExpression(doc, new Position(3, 15));
  assert.deepEqual([e.expression, e.range.start, e.range.end], ['zone0.free_bpages', new Position(3, 7), new Position(3, 24)]);
  assert.equal(providers.evaluatable.provider.provideEvaluatableExpression(doc, new Position(2, 3)), undefined);
});

test('inline values from the adapter\'s timeline, and the expect line evaluated by the adapter', async () => {
  const { program } = parse(doc.text, 'a.busdma');
  const tl = recordTimeline(program, 'd48182').timeline;
  const asked: string[] = [];
  activeSession = {
    id: 's', type: 'busdma',
    async customRequest(cmd: string, args: any) {
      asked.push(cmd === 'evaluate' ? `evaluate ${args.expression}` : cmd);
      if (cmd === 'timeline') return answerTimelineRequest([tl], args as TimelineRequestArgs, 3);
      if (cmd === 'evaluate' && args.expression === 'errno') return { result: '0' };
      throw new Error('no');
    },
  };
  const tracker = trackerFactories[0].createDebugAdapterTracker(activeSession);
  tracker.onDidSendMessage({ type: 'event', event: 'stopped' });
  const vals = await providers.inline.provider.provideInlineValues(doc, new Range(0, 0, 4, 0), { frameId: 1, stoppedLocation: new Range(3, 0, 3, 5) });
  assert.deepEqual(vals.map((v: any) => [v instanceof InlineValueText ? 'text' : v instanceof InlineValueEvaluatableExpression ? 'expression' : '?', v.range.start.line, v.range.start.character, v.text ?? v.expression]), [
    ['text', 1, 24, 'zone0: total 2 free 2'],
    ['text', 2, 62, 'zone0: total 2 free 1 active 1, errno = 0'],
    ['expression', 3, 7, 'zone0.free_bpages'],
  ]);
  assert.deepEqual(asked, ['timeline', 'timeline', 'evaluate errno']);
  // Asked again for the same stop (scrolling): no new requests.
  await providers.inline.provider.provideInlineValues(doc, new Range(0, 0, 4, 0), { frameId: 1, stoppedLocation: new Range(3, 0, 3, 5) });
  assert.equal(asked.length, 3);
  activeSession = undefined;
  for (const s of subs) s.dispose();
});

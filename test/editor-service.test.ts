// The language service (src/editor/service.ts) and its client (serviceClient.ts): requests by
// document and version, the worker thread (dist/editorWorker.js, built by `npm test`) and the
// in-process fallback, and the debounced diagnostics runs that drop stale results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { LanguageService, packDiagnostics, unpackDiagnostics, type DiagnosticsResult } from '../src/editor/service';
import { DiagnosticsScheduler, ServiceClient, type DocumentLike } from '../src/editor/serviceClient';
import { diagnosticsFor, type Completion, type Hover, type Location1, type DocSymbol } from '../src/editor/analysis';

const TEXT = 't = bus_dma_tag_create()\nm = bus_dmamap_create(t)\nexpect errno == 0\nbus_dmamap_load(t, m, 0x1000:4K)\nexpect errno == 0\n';

test('service: documents by URI and version; queries answered from the held text', () => {
  const s = new LanguageService();
  assert.equal(s.versionOf('a'), -1);
  s.handle({ op: 'update', uri: 'a', version: 1, text: TEXT, file: 'a.busdma' });
  const d = s.handle({ op: 'diagnostics', uri: 'a', version: 1 }) as DiagnosticsResult;
  assert.deepEqual(d.diagnostics.map((x) => [x.line, x.code]), [[1, 'unchecked-errno']]);
  assert.equal(d.version, 1);
  assert.ok(d.ms >= 0);
  assert.equal(s.handle({ op: 'diagnostics', uri: 'a', version: 2 }), null, 'a version the service does not hold');
  const h = s.handle({ op: 'hover', uri: 'a', version: 1, line: 4, col: 17 }) as Hover;
  assert.match(h.markdown, /^\*\*tag\*\* `t`/);
  assert.deepEqual(s.handle({ op: 'definition', uri: 'a', version: 1, line: 4, col: 20 }) as Location1[], [{ line: 2, col: 1, endCol: 2 }]);
  assert.equal((s.handle({ op: 'references', uri: 'a', version: 1, line: 1, col: 1, includeDeclaration: true }) as Location1[]).length, 3);
  assert.deepEqual((s.handle({ op: 'symbols', uri: 'a', version: 1 }) as DocSymbol[]).map((x) => x.name), ['t', 'm']);
  // The document moved on (version 2) but the service holds version 1: the cursor line's own
  // text is used with the held analysis.
  const c = s.handle({ op: 'completion', uri: 'a', version: 2, line: 4, col: 20, lineText: 'bus_dmamap_load(t, ' }) as Completion[];
  assert.deepEqual(c.map((x) => x.label), ['m']);
  s.handle({ op: 'close', uri: 'a' });
  assert.equal(s.handle({ op: 'hover', uri: 'a', version: 1, line: 4, col: 17 }), null);
});

async function exercise(client: ServiceClient): Promise<void> {
  client.update('u', 1, TEXT, 'u.busdma');
  assert.equal(client.heldVersion('u'), 1);
  const d = (await client.request({ op: 'diagnostics', uri: 'u', version: 1 })) as DiagnosticsResult;
  assert.equal(d.diagnostics.length, 1);
  const h = (await client.request({ op: 'hover', uri: 'u', version: 1, line: 4, col: 3 })) as Hover;
  assert.match(h.markdown, /bus_dmamap_load/);
}

test('client: in process when there is no worker', async () => {
  const c = new ServiceClient(undefined);
  assert.equal(c.mode, 'in-process');
  await exercise(c);
  c.dispose();
  await assert.rejects(c.request({ op: 'symbols', uri: 'u', version: 1 }));
});

const WORKER = 'dist/editorWorker.js';

test('client: in a worker thread; restart cancels what is pending', { skip: !existsSync(WORKER) && 'run the build first' }, async () => {
  const c = new ServiceClient(WORKER);
  assert.equal(c.mode, 'worker');
  await exercise(c);
  // A big text keeps the worker busy; restart() rejects the pending request at once.
  const big = Array.from({ length: 50_000 }, () => 'bus_dmamap_unload(t, m)').join('\n');
  c.update('big', 1, `t = bus_dma_tag_create()\nm = bus_dmamap_create(t)\n${big}`, 'big.busdma');
  const p = c.request({ op: 'diagnostics', uri: 'big', version: 1 });
  c.restart();
  await assert.rejects(p, /cancelled/);
  assert.equal(c.heldVersion('big'), -1, 'a fresh worker holds no documents');
  await exercise(c);
  c.dispose();
});

function doc(uri: string, version: number, text: string): DocumentLike {
  return { uri, version, file: `${uri}.busdma`, getText: () => text };
}

test('scheduler: debounced, one run for a burst of edits, only the latest version published', async () => {
  const c = new ServiceClient(undefined);
  const published: DiagnosticsResult[] = [];
  const s = new DiagnosticsScheduler(c, (r) => published.push(r), { delay: 30 });
  for (let v = 1; v <= 5; v++) s.schedule(doc('d', v, TEXT.replace('4K', `${v}K`)));
  await new Promise((r) => setTimeout(r, 150));
  assert.deepEqual(published.map((p) => p.version), [5]);
  // Open: immediate.
  s.schedule(doc('e', 1, 'bus_dma_tag_destroy(nosuch)\n'), true);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(published.map((p) => [p.uri, p.version]), [['d', 5], ['e', 1]]);
  assert.equal(published[1].diagnostics[0].code, 'unknown-handle');
  // Closed: nothing more is published for it.
  s.schedule(doc('e', 2, 'busdma_thread()\n'));
  s.close('e');
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(published.length, 2);
  s.dispose();
  c.dispose();
});

test('scheduler: a run made stale by a newer version is cancelled and the newest one published', { skip: !existsSync(WORKER) && 'run the build first' }, async () => {
  const c = new ServiceClient(WORKER);
  const published: DiagnosticsResult[] = [];
  const s = new DiagnosticsScheduler(c, (r) => published.push(r), { delay: 0 });
  const body = Array.from({ length: 10_000 }, () => "bus_dmamap_unload(t, m)").join('\n');
  const big = (v: number) => `t = bus_dma_tag_create()\nm = bus_dmamap_create(t)\n${body}\nbus_dmamap_unload(t, v${v})\n`;
  s.schedule(doc('b', 1, big(1)), true);
  await new Promise((r) => setTimeout(r, 5));
  s.schedule(doc('b', 2, big(2)), true);
  const until = Date.now() + 60_000;
  while (!published.length && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(published.map((p) => p.version), [2]);
  assert.match(published[0].diagnostics.find((d) => d.code === 'unknown-handle')!.message, /'v2'/);
  s.dispose();
  c.dispose();
});

test('packed diagnostics unpack to the same list (errors, warnings, hints; with and without a code)', () => {
  const text = [
    't = bus_dma_tag_create(lowaddr: BUS_SPACE_MAXADDR_32BIT)',
    'm = bus_dmamap_create(t)',
    'bus_dmamap_create(t)',
    'bus_dmamap_unload(t, m)',
    'bus_dmamap_destroy(t, m)',
    'bus_dmamap_sync(t, m, BUS_DMASYNC_PREWRITE)',
    'bus_dmamap_load(t, nosuch, 0x1000:4K)',
    'bus_dmamap_load(t, m, 0x1000:)',
    'repeat 2 {',
  ].join('\n');
  const ds = diagnosticsFor(text, 'p.busdma');
  assert.ok(new Set(ds.map((d) => d.severity)).size >= 3, 'errors, warnings and hints');
  assert.ok(ds.some((d) => d.code === undefined) && ds.some((d) => d.code !== undefined));
  // A diagnostic without a code may carry `code: undefined`; the unpacked one has no key.
  const plain = (x: unknown) => JSON.parse(JSON.stringify(x));
  assert.deepEqual(plain(unpackDiagnostics(packDiagnostics(ds))), plain(ds));
});

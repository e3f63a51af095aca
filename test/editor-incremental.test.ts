// Incremental re-analysis (src/editor/incremental.ts): an edit inside one statement line must
// give exactly what a full parse gives: the same diagnostics (parser and lints), statements by
// line, errno checks and symbols. Checked on every line of every fixture with several edits,
// and on chains of edits (each analysis built from the previous incremental one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { Analysis, analyze, clearAnalysisCache, diagnosticsOf, symbolsOfAnalysis } from '../src/editor/analysis';
import { reparseOneLine } from '../src/editor/incremental';

const FIX = 'test-fixtures/';

function summary(a: Analysis) {
  const stmts: [number, string, boolean?][] = [];
  for (const [l, s] of a.program.lines) stmts.push([l, s.kind, s.kind === 'call' ? s.checked : undefined]);
  return {
    diagnostics: diagnosticsOf(a),
    stmts,
    kinds: [...a.program.handleKinds].sort(),
    symbols: JSON.stringify(symbolsOfAnalysis(a)),
  };
}

const EDITS: ((line: string) => string)[] = [
  (l) => l.replace(/\d+K/, (m) => `${Number(m.slice(0, -1)) * 2}K`),
  (l) => l + ' )',
  () => 'expect errno == 0',
  () => '',
  () => '# a comment',
  (l) => l.replace(/\(([A-Za-z_]\w*)/, '(zz'),
  () => 'bus_dmamap_destroy(t, m)',
  () => 'bus_dmamap_unload(tx_tag, tx_map[i])',
  (l) => l.replace('bus_dmamap_load', 'bus_dmamap_lod'),
];

function check(base: Analysis, text: string, what: string): Analysis | undefined {
  const inc = reparseOneLine(base, text);
  if (!inc) return undefined;
  assert.deepEqual(summary(inc), summary(new Analysis(text, base.file)), what);
  return inc;
}

test('an edit inside one line gives what a full parse gives, on every fixture line', () => {
  let fast = 0;
  let total = 0;
  for (const f of readdirSync(FIX).filter((n) => n.endsWith('.busdma'))) {
    const text = readFileSync(FIX + f, 'utf8');
    const lines = text.split('\n');
    for (let k = 0; k < lines.length; k++) {
      for (const [e, edit] of EDITS.entries()) {
        const changed = edit(lines[k]);
        if (changed === lines[k]) continue;
        const next = [...lines];
        next[k] = changed;
        total++;
        if (check(new Analysis(text, f), next.join('\n'), `${f}:${k + 1} edit ${e}`)) fast++;
      }
    }
  }
  // Many edits take the fast path; the rest touch braces, headers, create lines, or come
  // before the first statement (the fixtures' long header comments).
  assert.ok(fast > total / 5, `${fast} of ${total}`);
});

test('chains of edits stay exact (each step from the previous incremental analysis)', () => {
  for (const f of ['re-driver.busdma', 'ebusy.busdma', 'deferred-load.busdma', 'efbig.busdma']) {
    const text = readFileSync(FIX + f, 'utf8');
    const lines = text.split('\n');
    let a = new Analysis(text, f);
    let cur = [...lines];
    for (let k = 0; k < lines.length; k++) {
      for (const edit of [EDITS[1], EDITS[0], (l: string) => l.replace(/ \)$/, '')]) {
        const changed = edit(cur[k]);
        if (changed === cur[k]) continue;
        const next = [...cur];
        next[k] = changed;
        const inc = check(a, next.join('\n'), `${f}:${k + 1}`);
        a = inc ?? new Analysis(next.join('\n'), f);
        cur = next;
      }
    }
  }
});

test('what the fast path refuses: two lines, line count, braces, repeat, headers, create targets', () => {
  const text = 'kernel legacy\nt = bus_dma_tag_create()\nm = bus_dmamap_create(t)\nrepeat 2 {\n  bus_dmamap_sync(t, m, BUS_DMASYNC_PREREAD)\n}\n';
  const base = () => new Analysis(text, 'x');
  const swap = (k: number, s: string) => { const l = text.split('\n'); l[k] = s; return l.join('\n'); };
  assert.equal(reparseOneLine(base(), text.replace('legacy', 'd47521')), undefined, 'header');
  assert.equal(reparseOneLine(base(), swap(1, 'u = bus_dma_tag_create()')), undefined, 'a create target');
  assert.equal(reparseOneLine(base(), swap(3, 'repeat 3 {')), undefined, 'repeat');
  assert.equal(reparseOneLine(base(), swap(5, '')), undefined, 'a brace');
  assert.equal(reparseOneLine(base(), text + 'busdma_thread()\n'), undefined, 'line count');
  assert.equal(reparseOneLine(base(), text.replace(/PREREAD/, 'POSTREAD').replace('create()', 'create(maxsize: 8K)')), undefined, 'two lines');
  assert.equal(reparseOneLine(base(), swap(1, 't = bus_dma_tag_create(maxsize: 8K)')), undefined, 'the first statement (headers may follow it)');
  assert.ok(reparseOneLine(base(), swap(2, 'm = bus_dmamap_create(t, flags: BUS_DMA_NOWAIT)')), 'same target, same call');
  assert.ok(reparseOneLine(base(), swap(4, '  bus_dmamap_sync(t, m, BUS_DMASYNC_POSTREAD)')), 'inside a repeat');
});

test('analyze() takes the fast path between successive texts of one file', () => {
  clearAnalysisCache();
  const lines = ['t = bus_dma_tag_create(lowaddr: BUS_SPACE_MAXADDR_32BIT)', 'm = bus_dmamap_create(t)'];
  for (let i = 0; i < 2_000; i++) lines.push('bus_dmamap_load(t, m, 0x1_0000_0000:2K, flags: BUS_DMA_NOWAIT)', 'expect errno == 0', 'bus_dmamap_unload(t, m)');
  const a = analyze(lines.join('\n'), 'big.busdma');
  lines[3_001] = 'bus_dmamap_unload(t, nosuch)';
  const text = lines.join('\n');
  const b = analyze(text, 'big.busdma');
  assert.notEqual(a, b);
  assert.deepEqual(diagnosticsOf(b).filter((d) => d.severity === 'error').map((d) => [d.line, d.col, d.message]), [[3_002, 22, "unknown handle 'nosuch': no map is ever assigned to it"]]);
  assert.deepEqual(summary(b), summary(new Analysis(text, 'big.busdma')));
  clearAnalysisCache();
});

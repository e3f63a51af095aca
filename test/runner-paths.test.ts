// The runner reads a program in several shapes: statements only (the parser's general path),
// top-level plain lines as table rows re-read from the text (the default, the debugger), rows
// whose arguments come from kept atoms (the CLI), and every tree kept (the editor's mini
// parses). All of them must run every fixture, and generated traces, to the same report and
// the same step-by-step positions and events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { charBytes, parse, parseAscii, type ParseOptions } from '../src/trace/parser';
import { TraceRunner } from '../src/trace/runner';
import { buildReport } from '../src/trace/report';
import { KERNELS } from './helpers';
import { mixedTrace } from '../bench/gen';
import type { KernelId } from '../src/core/kernels';

const DIR = 'test-fixtures';
const FIXTURES = [
  ...fs.readdirSync(DIR).filter((f) => f.endsWith('.busdma')).sort(),
  ...fs.readdirSync(path.join(DIR, 'fuzz')).filter((f) => f.endsWith('.busdma')).sort().map((f) => path.join('fuzz', f)),
];

const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));

/**
 * The report and, per tick, where the runner stood and what it raised; and whether runToEnd
 * (the CLI's loop, which runs rows without making statements) gives the same report.
 */
function trace(text: string, opts: ParseOptions | 'ascii', kernel: KernelId): string {
  // 'ascii': from the bytes alone, as the CLI reads an ASCII file (parseAscii, kept atoms).
  const { program, diagnostics } = opts === 'ascii' ? parseAscii(Buffer.from(text, 'latin1'), 'f.busdma', { keepAtoms: true }) : parse(text, 'f.busdma', opts);
  if (diagnostics.some((d) => d.severity === 'error')) return JSON.stringify(diagnostics);
  const r = new TraceRunner(program, { kernel, maxSteps: 50_000 });
  const ticks: string[] = [];
  while (!r.done) {
    const t = r.tick();
    ticks.push(`${t.kind} ${t.stmt ? `${t.stmt.loc.line}:${t.stmt.loc.col}` : '-'} ${t.events.map((e) => `${e.kind}@${e.line}:${e.column} ${e.message}`).join('|')} ${t.output.map((o) => o.text).join('|')}`);
  }
  const report = json(buildReport(r));
  const whole = new TraceRunner(program, { kernel, maxSteps: 50_000 });
  whole.runToEnd();
  const ranToEnd = json(buildReport(whole));
  return json({ report, ticks, runToEnd: ranToEnd === report ? 'the same report' : ranToEnd });
}

function sameEverywhere(text: string, what: string): void {
  const shapes: [string, ParseOptions | 'ascii'][] = [
    ['rows', {}], ['rows+atoms', { keepAtoms: true }], ['rows+bytes', { keepAtoms: true, bytes: charBytes(text) }], ['trees', { keepTrees: true }],
  ];
  if (/^[\x00-\x7f]*$/.test(text)) shapes.push(['bytes alone', 'ascii']);
  for (const kernel of KERNELS) {
    const want = trace(text, { generalOnly: true }, kernel);
    for (const [name, opts] of shapes) {
      const got = trace(text, opts, kernel);
      if (got !== want) assert.equal(got, want, `${what} under ${kernel}: ${name} differs from the general path`);
    }
  }
}

test('every fixture and fuzz regression runs the same from rows, atoms, kept trees and the general path', () => {
  assert.ok(FIXTURES.length >= 19);
  for (const f of FIXTURES) sameEverywhere(fs.readFileSync(path.join(DIR, f), 'utf8'), f);
});

test('a generated churn trace runs the same from rows, atoms and the general path', () => {
  sameEverywhere(mixedTrace(3_000, 9), 'mixedTrace(3000, 9)');
});

test('handles named again after a destroy, a failed create or a restore run the same everywhere', () => {
  // The runner caches handles and their tags and maps by identifier (rows and atoms only):
  // every way a name changes what it holds must show through that cache.
  const text = [
    'kernel d48182',
    't = bus_dma_tag_create(lowaddr: BUS_SPACE_MAXADDR_32BIT)',
    'm = bus_dmamap_create(t)',
    'bus_dmamap_load(t, m, 0x100000000:4K, flags: BUS_DMA_NOWAIT)',
    'bus_dmamap_unload(t, m)',
    'bus_dmamap_destroy(t, m)',
    'bus_dmamap_load(t, m, 0x100000000:4K, flags: BUS_DMA_NOWAIT)',
    'bus_dmamap_sync(t, m, BUS_DMASYNC_PREWRITE)',
    'm = bus_dmamap_create(t)',
    'bus_dmamap_load(t, m, 0x100001000:4K, flags: BUS_DMA_NOWAIT)',
    'bus_dmamap_unload(t, m)',
    'bus_dmamap_destroy(t, m)',
    'bus_dma_tag_destroy(t)',
    'bus_dmamap_unload(t, m)',
    't = bus_dma_tag_create(lowaddr: BUS_SPACE_MAXADDR_24BIT, maxsize: 64K, nsegments: 16)',
    'm = bus_dmamap_create(t)',
    'bus_dmamap_load(t, m, 0x100000000:8K, flags: BUS_DMA_NOWAIT)',
    'bus_dmamap_load(m, t, 0x100000000:8K, flags: BUS_DMA_NOWAIT)',
    'u = bus_dma_tag_create(parent: t, lowaddr: BUS_SPACE_MAXADDR_32BIT)',
    'bus_dma_tag_destroy(u)',
    'n = bus_dmamap_create(u)',
    'bus_dmamap_sync(u, n, BUS_DMASYNC_POSTREAD)',
    'bus_dmamap_unload(t, m)',
    'bus_dmamap_destroy(t, m)',
    'bus_dmamap_destroy(t, m)',
    'bus_dma_tag_destroy(t)',
    'bus_dma_tag_destroy(t)',
    '',
  ].join('\n');
  sameEverywhere(text, 'handles named again');
  // Time travel: a restore brings back tags and maps the cache saw destroyed, and back again.
  const { program } = parse(text, 'f.busdma', { keepAtoms: true });
  const r = new TraceRunner(program, {});
  const cps = [];
  while (!r.done) {
    cps.push(r.snapshot());
    r.tick();
  }
  const want = json(buildReport(r));
  for (const at of [8, 3, 12, 0, 20]) {
    r.restore(cps[at]);
    while (!r.done) r.tick();
    assert.equal(json(buildReport(r)), want, `run again from tick ${at}`);
  }
});

test('errors at an argument point at the same column from atoms and from trees', () => {
  // nsegments past u_int: the error names the value's columns (read from the atoms when plain).
  sameEverywhere('kernel d48182\nt = bus_dma_tag_create(lowaddr: 0xffffffff)\nu = bus_dma_tag_create(maxsize: 4K,   nsegments: 0x1_0000_0000)\n', 'nsegments past u_int');
  const { program } = parse('u = bus_dma_tag_create(maxsize: 4K,   nsegments: 0x1_0000_0000)\n', 'f.busdma', { keepAtoms: true });
  const r = new TraceRunner(program, {});
  r.runToEnd();
  assert.deepEqual(r.st.fatal && [r.st.fatal.line, r.st.fatal.col], [1, 50]);
});

test('rows are made statements only when read, and the same line gives the same object', () => {
  const text = 'kernel d48182\nt = bus_dma_tag_create(lowaddr: 0xffffffff)\nm = bus_dmamap_create(t)\nbus_dmamap_load(t, m, 0x100000000:4K, flags: BUS_DMA_NOWAIT)\nexpect errno == 0\nbus_dmamap_unload(t, m)\n';
  const { program } = parse(text, 'f.busdma');
  assert.ok(program.top && program.plain, 'plain lines are rows');
  assert.ok(program.top.some((x) => typeof x === 'number'));
  const load = program.lines.get(4);
  assert.ok(load && load.kind === 'call');
  assert.equal(load, program.lines.get(4));
  assert.equal(load.checked, true, 'the expect on the next line checks the load');
  assert.equal(program.body[2], load, 'body and lines share the statement of a row');
  assert.equal(program.body.length, program.top.length);
});

// The benchmark (`npm run bench`): generates its own seeded traces, runs each case several
// times after a warm-up, prints medians with min/max and writes bench/results.json.
// Never part of `npm test`; test/bench-smoke.test.ts runs its quick mode (tiny sizes, no figures checked).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parse } from '../src/trace/parser';
import { TraceRunner } from '../src/trace/runner';
import { TimeMachine } from '../src/trace/timetravel';
import { BusDma } from '../src/core/busdma';
import { BUS_DMASYNC_PREWRITE, BUS_DMA_NOWAIT } from '../src/core/constants';
import { mixedTrace, rng } from './gen';
import { benchDap } from './bench-dap';
import { benchEditor } from './bench-editor';
import { fmt, stats, withFigures, type Results, type Row } from './readme';
export type { Row } from './readme';

const OUT = 'bench/out';

/** Runs f `runs` times after `warm` warm-up runs; f returns the measured figure. */
function measure(f: () => number, runs: number, warm = 1): { median: number; min: number; max: number } {
  for (let i = 0; i < warm; i++) f();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push(f());
  return stats(xs);
}

/** A trace of `steps` steps from a repeat loop (small text, long run), for time travel. */
export function loopTrace(steps: number): string {
  const body = [
    't = bus_dma_tag_create(lowaddr: BUS_SPACE_MAXADDR_32BIT, maxsize: 8K, nsegments: 2)',
    'm = bus_dmamap_create(t)',
    'bus_dmamap_load(t, m, 0x1_0000_0000 + (i % 4096) * 4K:4K, flags: BUS_DMA_NOWAIT)',
    'bus_dmamap_sync(t, m, BUS_DMASYNC_PREWRITE)',
    'bus_dmamap_sync(t, m, BUS_DMASYNC_POSTREAD)',
    'bus_dmamap_unload(t, m)',
    'bus_dmamap_destroy(t, m)',
    'bus_dma_tag_destroy(t)',
  ];
  const n = Math.ceil(steps / body.length);
  return `kernel d48182\nkeep = bus_dma_tag_create(lowaddr: BUS_SPACE_MAXADDR_32BIT, maxsize: 64K, nsegments: 16)\nkm = bus_dmamap_create(keep)\nrepeat ${n} as i {\n${body.map((b) => '  ' + b).join('\n')}\n}\n`;
}

export function benchParse(lines: number, runs: number): Row {
  const src = mixedTrace(lines, 1);
  const r = measure(() => {
    const t0 = performance.now();
    const { diagnostics } = parse(src, 'bench.busdma');
    const dt = performance.now() - t0;
    if (diagnostics.some((d) => d.severity === 'error')) throw new Error('bench trace has errors');
    return src.length / 1e6 / (dt / 1000);
  }, runs);
  return { case: 'parse', size: lines, unit: 'MB/s', ...r, target: '>= 50 MB/s', ok: lines < 1e6 ? undefined : r.median >= 50 };
}

/** Mixed calls straight on the core: create, load above 4 GiB, sync, unload, destroy. */
export function benchCore(calls: number, runs: number): Row {
  const r = measure(() => {
    const rand = rng(7);
    const core = new BusDma('d48182');
    const keep = core.bus_dma_tag_create({ lowaddr: 0xffff_ffffn, maxsize: 65536n, nsegments: 16n }, 'keep').id!;
    core.bus_dmamap_create(keep, 'km');
    const bufs = Array.from({ length: 4096 }, (_, i) => [{ paddr: 0x1_0000_0000n + BigInt(i) * 4096n, len: 2048n }]);
    let done = 0;
    const t0 = performance.now();
    while (done < calls) {
      const t = core.bus_dma_tag_create({ lowaddr: 0xffff_ffffn, maxsize: 8192n, nsegments: 2n }, 't').id!;
      const m = core.bus_dmamap_create(t, 'm').id!;
      core.bus_dmamap_load(t, m, bufs[Math.floor(rand() * 4096)], BUS_DMA_NOWAIT);
      core.bus_dmamap_sync(t, m, BUS_DMASYNC_PREWRITE);
      core.bus_dmamap_unload(t, m);
      core.bus_dmamap_destroy(t, m);
      core.bus_dma_tag_destroy(t);
      done += 7;
    }
    const dt = performance.now() - t0;
    return done / (dt / 1000);
  }, runs);
  return { case: 'core calls', size: calls, unit: 'calls/s', ...r, target: '>= 3,000,000 calls/s', ok: calls < 1e6 ? undefined : r.median >= 3e6 };
}

export function benchCli(lines: number, runs: number): Row {
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, `mixed-${lines}.busdma`);
  writeFileSync(file, mixedTrace(lines, 1));
  const r = measure(() => {
    const t0 = performance.now();
    const p = spawnSync(process.execPath, ['dist/cli.js', 'run', file, '--json'], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
    const dt = performance.now() - t0;
    if (p.status !== 0 && p.status !== 1) throw new Error(`cli exited ${p.status}: ${p.stderr}`);
    return dt;
  }, runs);
  return { case: 'busdma-trace run (process)', size: lines, unit: 'ms', ...r, target: '< 1500 ms', ok: lines < 1e6 ? undefined : r.median < 1500 };
}

function session(steps: number): { tm: TimeMachine; runner: TraceRunner } {
  const { program } = parse(loopTrace(steps), 'loop.busdma');
  const runner = new TraceRunner(program, { maxSteps: steps + 10 });
  const tm = new TimeMachine(runner);
  while (runner.st.steps < steps && !runner.done) tm.forward();
  return { tm, runner };
}

export function benchStepBack(steps: number, runs: number): Row[] {
  const { tm, runner } = session(steps);
  const end = runner.st.tick;
  const back = measure(() => {
    tm.goto(end);
    const t0 = performance.now();
    tm.goto(end - 1);
    return performance.now() - t0;
  }, runs);
  // Reverse continue to a line breakpoint 900,000 (or 90%) steps back: search the line log,
  // then travel there.
  const target = end - Math.floor(end * 0.9);
  const line = tm.lineAt(target);
  const rc = measure(() => {
    tm.goto(end);
    const t0 = performance.now();
    const hit = tm.findBack(end, (t, l) => l === line && t <= target);
    if (hit === undefined) throw new Error('no hit');
    tm.goto(hit - 1);
    return performance.now() - t0;
  }, runs);
  return [
    { case: 'step back from the end', size: steps, unit: 'ms', ...back, target: '< 20 ms', ok: steps < 1e6 ? undefined : back.median < 20, note: `${tm.checkpointCount()} checkpoints, K = ${tm.interval}` },
    { case: 'reverse continue 90% back', size: steps, unit: 'ms', ...rc, target: '< 300 ms', ok: steps < 1e6 ? undefined : rc.median < 300 },
  ];
}

/** Peak memory of a debug session run to the end with time travel, in a fresh process. */
export function benchMemory(steps: number, runs: number): Row {
  const r = measure(() => {
    const p = spawnSync(process.execPath, [__filename, '--memory', String(steps)], { encoding: 'utf8' });
    if (p.status !== 0) throw new Error(p.stderr);
    return Number(p.stdout.trim());
  }, runs, 0);
  return { case: 'peak memory, debug session', size: steps, unit: 'MB', ...r, target: '< 300 MB', ok: steps < 1e6 ? undefined : r.median < 300 };
}

function memoryChild(steps: number): void {
  const { tm } = session(steps);
  tm.goto(Math.floor(tm.tick / 2));
  process.stdout.write(String(Math.round(process.resourceUsage().maxRSS / 1024)) + '\n');
}

export function benchSizes(): Row[] {
  const rows: Row[] = [];
  if (existsSync('dist/extension.js')) {
    const kb = statSync('dist/extension.js').size / 1024;
    rows.push({ case: 'extension bundle', size: 1, unit: 'KB', median: kb, min: kb, max: kb, target: '< 300 KB', ok: kb < 300 });
  }
  const vsix = readdirSync('.').filter((f) => f.endsWith('.vsix')).sort().pop();
  if (vsix) {
    const kb = statSync(vsix).size / 1024;
    rows.push({ case: 'VSIX', size: 1, unit: 'KB', median: kb, min: kb, max: kb, target: '< 500 KB', ok: kb < 500, note: vsix });
  }
  return rows;
}

export function table(rows: Row[]): string {
  const head = ['case', 'size', 'median', 'min', 'max', 'unit', 'target', ''];
  const body = rows.map((r) => [r.case, r.size.toLocaleString('en-US'), fmt(r.median), fmt(r.min), fmt(r.max), r.unit, r.target ?? '', r.ok === undefined ? '' : r.ok ? 'ok' : 'MISSED']);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  return [head, ...body].map((r) => r.map((c, i) => c.padEnd(w[i])).join('  ').trimEnd()).join('\n');
}

export type Extra = (sizes: { quick: boolean }) => Promise<Row[]>;

/**
 * The editor case in a fresh process, as in VS Code: the language-service worker shares its
 * machine with an extension host, not with the heaps and GC threads the cases above leave.
 */
const editorInChild: Extra = async ({ quick }) => {
  const p = spawnSync(process.execPath, [__filename, '--editor', quick ? 'quick' : 'full'], { encoding: 'utf8' });
  if (p.status !== 0) throw new Error(`editor case: ${p.stderr}`);
  return JSON.parse(p.stdout) as Row[];
};

/** The adapter and editor cases (bench/bench-dap.ts, bench/bench-editor.ts). */
const EXTRAS: Extra[] = [benchDap, editorInChild];

export async function main(extras: Extra[] = []): Promise<void> {
  const quick = process.argv.includes('--quick');
  const sizes = quick ? [1e4] : [1e4, 1e5, 1e6];
  const runs = quick ? 2 : 5;
  const rows: Row[] = [];
  const add = (r: Row | Row[]) => {
    for (const x of Array.isArray(r) ? r : [r]) {
      rows.push(x);
      process.stderr.write(`  ${x.case} @ ${x.size}: ${fmt(x.median)} ${x.unit}\n`);
    }
  };
  for (const n of sizes) add(benchParse(n, runs));
  for (const n of sizes) add(benchCore(n, runs));
  // As every other case: several runs after a warm-up (each run is a fresh process).
  for (const n of sizes) add(benchCli(n, runs));
  for (const n of sizes) add(benchStepBack(n, runs));
  for (const n of sizes) add(benchMemory(n, quick ? 1 : 3));
  for (const e of extras) add(await e({ quick }));
  add(benchSizes());
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`;
  const out: Results = { date: new Date().toISOString(), machine, quick, rows };
  if (!quick) {
    writeFileSync('bench/results.json', JSON.stringify(out, null, 2) + '\n');
    // The README shows the latest full run: its figures, not a copy made by hand.
    writeFileSync('README.md', withFigures(readFileSync('README.md', 'utf8'), out));
  }
  process.stdout.write(`\nbusdma-trace benchmark (${machine})\n\n${table(rows)}\n`);
}

if (require.main === module && !process.env.BUSDMA_BENCH_LIB) {
  const i = process.argv.indexOf('--memory');
  const e = process.argv.indexOf('--editor');
  if (i >= 0) memoryChild(Number(process.argv[i + 1]));
  else if (e >= 0) {
    benchEditor({ quick: process.argv[e + 1] === 'quick' }).then((rows) => process.stdout.write(JSON.stringify(rows) + '\n'), (err) => {
      process.stderr.write(String(err?.stack ?? err) + '\n');
      process.exitCode = 1;
    });
  } else {
    main(EXTRAS).catch((e) => {
      process.stderr.write(String(e?.stack ?? e) + '\n');
      process.exitCode = 1;
    });
  }
}

// Limits: a `repeat 10000000` trace that raises a leak on every iteration runs to --max-steps in
// bounded memory (every event counted, only the first 1,000 of each kind kept), is cut with a
// clear message, and pauses at once in the debugger; a 200 MB trace is refused clearly by the
// CLI and by the adapter's launch, never an out-of-memory crash.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { INIT, ROOT, launch, startClient } from './adapter-harness';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'busdma-limits-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

// legacy: every map create after the first 8192 pages allocates one page over the cap (leak b).
const HUGE = `kernel legacy
keep = bus_dma_tag_create(lowaddr: BUS_SPACE_MAXADDR_32BIT, maxsize: 32M, nsegments: 8192)
km = bus_dmamap_create(keep)
repeat 10000000 as i {
  t = bus_dma_tag_create(lowaddr: BUS_SPACE_MAXADDR_32BIT)
  m = bus_dmamap_create(t)
  bus_dmamap_destroy(t, m)
  bus_dma_tag_destroy(t)
}
`;

test('repeat 10000000 with a leak per iteration: cut by --max-steps 200000, in bounded memory, events counted not kept', () => {
  const file = path.join(dir, 'huge.busdma');
  fs.writeFileSync(file, HUGE);
  // A small heap: a run that kept every event or every step would not fit.
  const r = spawnSync(process.execPath, ['--max-old-space-size=160', path.join(ROOT, 'dist', 'cli.js'), 'run', file, '--json', '--max-steps', '200000'], {
    encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 60_000,
  });
  assert.equal(r.status, 2, `exit ${r.status} ${r.signal ?? ''}: ${r.stderr.slice(0, 2000)}`);
  assert.equal(r.stderr, `${file}:7:3: error: stopped after 200000 steps (--max-steps); the trace is longer than that\n`);
  const j = JSON.parse(r.stdout);
  assert.equal(j.steps, 200000);
  assert.equal(j.exit, 2);
  assert.deepEqual(j.error, { line: 7, column: 3, message: 'stopped after 200000 steps (--max-steps); the trace is longer than that' });
  const kept: Record<string, number> = {};
  for (const e of j.events) kept[e.kind] = (kept[e.kind] ?? 0) + 1;
  assert.equal(kept.leak, 1000, 'only the first 1,000 leak events are kept in full');
  assert.ok(j.event_counts.leak > 40_000, `every leak is counted: ${j.event_counts.leak}`);
  // 2 steps before the loop, 4 per iteration: the cut comes after the map create of iteration
  // 50,000. \`keep\` already holds the zone's 8192 pages (the cap), so each map create allocates
  // one page over it: one leak (b) per iteration.
  assert.equal(j.event_counts.leak, 50_000);
  assert.equal(j.zones[0].total_bpages, 8192 + 50_000);
});

test('the same trace in the debugger: continue runs it in slices, a pause answers at once (inline)', async () => {
  const file = path.join(dir, 'huge-debug.busdma');
  fs.writeFileSync(file, HUGE);
  const dc = await startClient('inline');
  try {
    await launch(dc, { program: file, filters: [] });
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await dc.continueRequest({ threadId: 1 });
    await new Promise((r) => setTimeout(r, 400));
    const t0 = Date.now();
    await dc.pauseRequest({ threadId: 1 });
    const ev = await stopped;
    assert.equal(ev.body.reason, 'pause');
    assert.ok(Date.now() - t0 < 500, `the pause took ${Date.now() - t0} ms`);
    const leaked = await dc.evaluateRequest({ expression: 'leaked_bpages', context: 'watch' });
    assert.match(leaked.body.result, /^\d+$/);
    const st = await dc.stackTraceRequest({ threadId: 1 });
    assert.match(st.body.stackFrames[1].name, /^repeat \d+\/10000000$/);
  } finally {
    await dc.stop();
  }
});

test('a 200 MB trace is refused with FILE:1:1: error: by the CLI, and clearly by the adapter launch', async () => {
  const file = path.join(dir, 'big.busdma');
  const line = '# a comment line that only makes the file big...........................................\n';
  const chunk = Buffer.from(line.repeat(Math.floor((1 << 20) / line.length)));
  const fd = fs.openSync(file, 'w');
  try {
    const target = 200 * 1024 * 1024;
    for (let size = 0; size < target;) size += fs.writeSync(fd, chunk, 0, Math.min(chunk.length, target - size));
  } finally {
    fs.closeSync(fd);
  }
  try {
    for (const cmd of ['run', 'check']) {
      const r = spawnSync(process.execPath, ['--max-old-space-size=96', path.join(ROOT, 'dist', 'cli.js'), cmd, file], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 2, `${cmd}: exit ${r.status}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^${file.replace(/[.\\/]/g, '\\$&')}:1:1: error: the trace is 200 MB; busdma-trace reads traces up to \\d+ MB\\n$`));
    }
    const dc = await startClient('inline');
    try {
      await dc.initializeRequest(INIT);
      await assert.rejects(dc.launchRequest({ program: file } as DebugProtocol.LaunchRequestArguments), (e: Error) => {
        assert.ok(e.message.includes(file), e.message);
        assert.match(e.message, /the trace is 200 MB; busdma-trace reads traces up to \d+ MB/);
        return true;
      });
      // The session is still usable: a real trace launches after the refusal.
      await launch(dc, { program: path.join(ROOT, 'test-fixtures', 'adapter', 'orphan.busdma') });
    } finally {
      await dc.stop();
    }
  } finally {
    fs.rmSync(file, { force: true });
  }
});

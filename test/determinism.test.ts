// Determinism: every fixture under every kernel gives byte-identical CLI JSON run after run, and
// the debug session agrees with the CLI's stepper on every counter at every step: a walk drives
// the in-process session with stepIn (exception filters off) and, at each stop, compares what
// `evaluate` says with a TraceRunner of the same trace advanced to the same step. Each walk
// steps into the first STEP_CAP statements, then steps out of loops and over top-level
// statements to the end, so the long churn fixtures are sampled instead of walked step by step.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ROOT, launch, startClient } from './adapter-harness';
import { parse } from '../src/trace/parser';
import { TraceRunner, zoneField } from '../src/trace/runner';
import { KERNELS } from './helpers';
import type { KernelId } from '../src/core/kernels';

const FIXTURES = fs.readdirSync(path.join(ROOT, 'test-fixtures')).filter((f) => f.endsWith('.busdma')).sort();
const STEP_CAP = 400;
const ZONE_FIELDS = ['total_bpages', 'free_bpages', 'reserved_bpages', 'active_bpages', 'total_bounced', 'total_deferred', 'map_count', 'tags'];

function cli(file: string, kernel: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'run', file, '--json', '--kernel', kernel], { cwd: ROOT });
    let out = '';
    let err = '';
    p.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
    p.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

/** Run `jobs` with at most `n` at a time. */
async function pool<T>(jobs: (() => Promise<T>)[], n: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  }));
  return out;
}

test('every fixture under every kernel: the CLI JSON is byte-identical over two runs', async () => {
  const jobs = FIXTURES.flatMap((f) => KERNELS.map((k) => async () => {
    const file = path.join('test-fixtures', f);
    const [a, b] = [await cli(file, k), await cli(file, k)];
    return { f, k, a, b };
  }));
  const results = await pool(jobs, 4);
  for (const { f, k, a, b } of results) {
    assert.ok(a.code === 0 || a.code === 1, `${f} --kernel ${k}: exit ${a.code}: ${a.err}`);
    assert.ok(a.out.length > 0 && JSON.parse(a.out).kernel === k);
    assert.equal(a.code, b.code, `${f} --kernel ${k}: exit status differs between runs`);
    assert.equal(a.out, b.out, `${f} --kernel ${k}: JSON differs between runs`);
    assert.equal(a.err, b.err);
  }
});

/** What a stop shows, through evaluate, against the reference runner at the same step. */
async function compareAt(dc: Awaited<ReturnType<typeof startClient>>, ref: TraceRunner, where: string): Promise<void> {
  const ev = async (expression: string) => {
    try {
      return (await dc.evaluateRequest({ expression, context: 'watch' })).body.result;
    } catch (e) {
      return `error: ${(e as Error).message}`;
    }
  };
  const exprs: [string, string][] = [
    ['global.total_bpages', String(ref.core.state.total_bpages)],
    ['global.zone_count', String(ref.core.state.busdma_zonecount)],
    ['leaked_bpages', String(ref.core.leakedBpages())],
    ['errno', String(ref.st.errno)],
    ['cb_error', String(ref.st.cb_error)],
  ];
  for (const z of ref.core.state.zones) {
    if (z.destroyed) continue;
    for (const f of ZONE_FIELDS) exprs.push([`${z.name}.${f}`, String(zoneField(z, f, ref.kernel))]);
    if (z.refcount !== null) exprs.push([`${z.name}.refcount`, String(z.refcount)]);
  }
  const got = await Promise.all(exprs.map(([e]) => ev(e)));
  exprs.forEach(([e, want], i) => assert.equal(got[i], want, `${where}: ${e} is ${got[i]} in the session, ${want} in the CLI's stepper`));
}

for (const f of FIXTURES) {
  test(`the debug session and the CLI's stepper agree on every counter, step by step: ${f}`, async (t) => {
    const file = path.join(ROOT, 'test-fixtures', f);
    const { program } = parse(fs.readFileSync(file, 'utf8'), file);
    for (const kernel of KERNELS) {
      const ref = new TraceRunner(program, { kernel: kernel as KernelId });
      const dc = await startClient('inline');
      let stops = 0;
      try {
        await launch(dc, { program: file, kernel, filters: [], stopOnEntry: true });
        await compareAt(dc, ref, `${f} ${kernel} at entry`);
        for (let i = 0; ; i++) {
          assert.ok(i < 100_000, 'the walk ends');
          const stopped = dc.waitForEvent('stopped', 20_000) as Promise<DebugProtocol.StoppedEvent>;
          if (i < STEP_CAP) await dc.stepInRequest({ threadId: 1 });
          else if ((await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames.length > 1) await dc.stepOutRequest({ threadId: 1 });
          else await dc.nextRequest({ threadId: 1 });
          const ev = await stopped;
          stops++;
          const steps = Number((await dc.evaluateRequest({ expression: 'steps', context: 'watch' })).body.result);
          assert.ok(steps >= ref.st.steps, `${f} ${kernel}: the session went back from step ${ref.st.steps} to ${steps}`);
          while (!ref.done && ref.st.steps < steps) ref.tick();
          const desc = ev.body.description ?? '';
          const end = /end of the trace|^Paused on panic|^Paused on a trace error/.test(desc);
          // The final busdma thread run (and a panic, which leaves the state of before) is not a step.
          if (end) while (!ref.done) ref.tick();
          assert.equal(ref.st.steps, steps, `${f} ${kernel}: step ${steps} is past the CLI's run`);
          await compareAt(dc, ref, `${f} ${kernel} step ${steps} (${ev.body.reason}: ${desc})`);
          if (end) break;
        }
        assert.ok(ref.done, `${f} ${kernel}: the session ended before the CLI's run did`);
        assert.ok(stops > 0);
        t.diagnostic(`${kernel}: ${stops} stops compared, ${ref.st.steps} steps`);
      } finally {
        await dc.stop();
      }
    }
  });
}

// The timeline panel's custom requests: 'timeline' (windows of the run so far and of other
// kernels, with the first divergence) and 'travel' (time travel to the state after a step).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { ROOT, TRANSPORTS, launch, startClient } from './adapter-harness';

const CHURN = path.join(ROOT, 'test-fixtures', 'pr278569-cotenant.busdma');

for (const t of TRANSPORTS) {
  test(`timeline and travel requests (${t})`, async () => {
    const dc = await startClient(t);
    try {
      await launch(dc, { program: CHURN, kernel: 'legacy', filters: [] });
      // Run to the end (no filters): the session pauses at the end of the trace.
      const atEnd = dc.waitForEvent('stopped');
      await dc.continueRequest({ threadId: 1 });
      await atEnd;
      const r = await dc.customRequest('timeline', { columns: 200, kernels: ['d48182'] });
      const body = r.body as { windows: { kernel: string; steps: number }[]; divergence: { step: number; field: string; zone: string } | null; currentStep: number };
      assert.deepEqual(body.windows.map((w) => w.kernel), ['legacy', 'd48182']);
      assert.equal(body.currentStep, body.windows[0].steps);
      assert.ok(body.divergence, 'legacy and d48182 diverge on this trace');
      assert.equal(body.divergence!.zone, 'zone0');
      // Same divergence as the CLI's compare (step 484, the first page over the cap).
      assert.equal(body.divergence!.step, 484);
      // Travel back to just before the divergence: zone0 holds 8192 pages there.
      const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
      await dc.customRequest('travel', { step: 483 });
      const ev = await stopped;
      assert.equal(ev.body.reason, 'goto');
      const v = await dc.evaluateRequest({ expression: 'zone0.total_bpages', context: 'watch' });
      assert.equal(v.body.result, '8192');
      const st = await dc.evaluateRequest({ expression: 'steps', context: 'watch' });
      assert.equal(st.body.result, '483');
      await assert.rejects(dc.customRequest('travel', { step: 'x' }), /numeric 'step'/);
      await assert.rejects(dc.customRequest('frobnicate', {}), /unsupported request/);
    } finally {
      await dc.stop();
    }
  });
}

test('a stop on an event raised by the last statement of a loop body shows that iteration', async () => {
  const dc = await startClient('inline');
  try {
    const file = path.join(ROOT, 'test-fixtures', 'pr278569-churn.busdma');
    await launch(dc, { program: file, kernel: 'legacy', filters: ['leak'], stopOnEntry: false });
    // The first leak (zone0 orphaned) is raised by the tag destroy closing iteration 1 of 50.
    const st = await dc.stackTraceRequest({ threadId: 1 });
    const names = st.body.stackFrames.map((f) => `${f.name}@${f.line}`);
    assert.equal(names[0], 'bus_dma_tag_destroy(t)@87');
    assert.match(names[1], /^repeat 1\/50@/);
    const sc = await dc.scopesRequest({ frameId: st.body.stackFrames[0].id });
    const loop = sc.body.scopes.find((s) => s.name === 'Loop');
    assert.ok(loop);
    const vars = await dc.variablesRequest({ variablesReference: loop!.variablesReference });
    assert.equal(vars.body.variables[0].value, '0');
  } finally {
    await dc.stop();
  }
});

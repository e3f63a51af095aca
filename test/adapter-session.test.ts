// Whole debug sessions over DAP, through the standalone adapter (stdio) and the in-process
// session (inline), each compared with one golden transcript (test-fixtures/golden/adapter-*.txt).
// UPDATE_GOLDEN=1 regenerates the transcripts.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { TRANSPORTS, Transcript, assertGolden, fixture, launch, startClient, type Transport } from './adapter-harness';

type Scenario = (dc: DebugClient, tr: Transcript) => Promise<void>;

/** Run a scenario on both transports; both must give the golden transcript. */
function scenario(name: string, body: Scenario): void {
  for (const t of TRANSPORTS) {
    test(`${name} (${t})`, async () => {
      const text = await run(t, body);
      assertGolden(`adapter-${name}`, text);
    });
  }
}

async function run(t: Transport, body: Scenario): Promise<string> {
  const dc = await startClient(t);
  const tr = new Transcript(dc);
  dc.on('output', (e: DebugProtocol.OutputEvent) => {
    const line = e.body.line ? `:${e.body.line}` : '';
    tr.log(`   output[${e.body.category ?? 'console'}${line}]: ${e.body.output.replace(/\n$/, '')}`);
  });
  dc.on('exited', (e: DebugProtocol.ExitedEvent) => tr.log(`-- exited ${e.body.exitCode}`));
  dc.on('terminated', () => tr.log('-- terminated'));
  try {
    await body(dc, tr);
  } catch (e) {
    process.stderr.write(`transcript so far (${t}):\n${tr.text()}\n`);
    throw e;
  } finally {
    await dc.stop();
  }
  return tr.text();
}

async function exceptionInfo(dc: DebugClient, tr: Transcript, threadId = 1): Promise<void> {
  const r = await dc.exceptionInfoRequest({ threadId });
  tr.log(`   exceptionInfo: ${r.body.exceptionId} [${r.body.breakMode}] ${r.body.description}`);
  for (const l of (r.body.details?.stackTrace ?? '').split('\n')) if (l) tr.log(`     ${l}`);
}

async function endSession(dc: DebugClient, tr: Transcript): Promise<void> {
  const term = dc.waitForEvent('terminated');
  await dc.continueRequest({ threadId: 1 });
  await term;
  tr.log('(end)');
}

// ---- scenarios ---------------------------------------------------------------------------------------

scenario('entry', async (dc, tr) => {
  const program = fixture('orphan.busdma');
  const ev = await launch(dc, { program }, tr);
  await tr.record(ev, { scopes: 'all', depth: 3 });
  await tr.stopped(() => dc.nextRequest({ threadId: 1 }));
  await tr.stopped(() => dc.nextRequest({ threadId: 1 }), { scopes: ['Zones', 'Tags', 'Maps', 'Bounce pages', 'Last call'], depth: 3 });
  const zones = await tr.childValues('Zones', 'zone0');
  assert.equal(zones.get('total_bpages'), '4');
  assert.equal(zones.get('lowaddr'), '0xffffffff');
});

scenario('breakpoints', async (dc, tr) => {
  const program = fixture('orphan.busdma');
  const ev = await launch(dc, {
    program, stopOnEntry: false,
    breakpoints: [
      { line: 7 },                                              // blank line: slides to the repeat on 8
      { line: 9, condition: 'i == 1' },                         // only in the second iteration
      { line: 11, logMessage: 'unload {i}: total_bounced={zone0.total_bounced}' },
      { line: 15, hitCondition: '1' },
      { line: 40 },                                             // past the end: unverified
    ],
  }, tr);
  await tr.record(ev);
  await tr.stopped(() => dc.continueRequest({ threadId: 1 }), { scopes: ['Loop'] });
  await tr.stopped(() => dc.continueRequest({ threadId: 1 }));
  await tr.stopped(() => dc.continueRequest({ threadId: 1 }));   // the leak at the tag destroy
  await exceptionInfo(dc, tr);
  await tr.stopped(() => dc.continueRequest({ threadId: 1 }));   // the end of the trace
  await endSession(dc, tr);
});

scenario('filters', async (dc, tr) => {
  const program = fixture('thread-misuse.busdma');
  const ev = await launch(dc, { program, stopOnEntry: false, filters: ['misuse', 'expect'] }, tr);
  await tr.record(ev);
  await exceptionInfo(dc, tr);
  const ev2 = await tr.stopped(() => dc.continueRequest({ threadId: 1 }));
  assert.equal(ev2.body.reason, 'exception');
  assert.equal(ev2.body.threadId, 2, 'the replay of a freed map stops on the busdma thread');
  await exceptionInfo(dc, tr, 2);
  await tr.stopped(() => dc.continueRequest({ threadId: 1 }));
  await endSession(dc, tr);
});

scenario('filter-conditions', async (dc, tr) => {
  const program = fixture('orphan.busdma');
  // d48182: the destroy drops zone0's refcount to 0. A condition on another zone never matches.
  const ev = await launch(dc, {
    program, kernel: 'd48182', stopOnEntry: false,
    filters: [], filterOptions: [{ filterId: 'refcount', condition: 'to == 0 && zone == "zone0"' }, { filterId: 'leak', condition: 'zone == "zone9"' }],
  }, tr);
  await tr.record(ev, { scopes: ['Zones'], depth: 2 });
  await exceptionInfo(dc, tr);
  await tr.stopped(() => dc.continueRequest({ threadId: 1 }));
  await endSession(dc, tr);
});

scenario('events', async (dc, tr) => {
  const program = fixture('events.busdma');
  const ev = await launch(dc, { program, stopOnEntry: false, filters: ['error', 'stall'] }, tr);
  await tr.record(ev);
  await tr.stopped(() => dc.nextRequest({ threadId: 1 }));        // a step after an event moves to the next statement
  await tr.stopped(() => dc.continueRequest({ threadId: 1 }));
  await tr.stopped(() => dc.continueRequest({ threadId: 1 }));    // the stall, at the line of the load that queued
  await exceptionInfo(dc, tr);
  await tr.scopes(['Maps'], 2, 3);
  await endSession(dc, tr);                                       // the trace is over: continue ends the session
});

scenario('stepping', async (dc, tr) => {
  const program = fixture('loop.busdma');
  await tr.record(await launch(dc, { program }, tr));
  await tr.stopped(() => dc.nextRequest({ threadId: 1 }));              // line 7: repeat 4
  await tr.stopped(() => dc.stepInRequest({ threadId: 1 }));            // into the body
  await tr.stopped(() => dc.nextRequest({ threadId: 1 }));              // line 9: the inner repeat
  const before = await zonesText(tr);
  await tr.stopped(() => dc.stepInRequest({ threadId: 1 }), { scopes: ['Loop'] });
  await tr.stopped(() => dc.nextRequest({ threadId: 1 }));
  await tr.stopped(() => dc.stepOutRequest({ threadId: 1 }), { scopes: ['Zones'], depth: 2 });
  // Step back over the inner loop: exactly the counters the trace had there.
  await tr.stopped(() => dc.stepBackRequest({ threadId: 1 }), { scopes: ['Zones'], depth: 2 });
  assert.equal(await zonesText(tr), before, 'step back restores the earlier counters exactly');
  await tr.stopped(() => dc.nextRequest({ threadId: 1 }));              // over the inner loop
  await tr.stopped(() => dc.continueRequest({ threadId: 1 }));          // to the end
  // Reverse continue to a conditional breakpoint.
  await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: 10, condition: 'i == 2' }] });
  await tr.stopped(() => dc.reverseContinueRequest({ threadId: 1 }), { scopes: ['Loop', 'Zones'], depth: 2 });
  await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [] });
  await tr.stopped(() => dc.reverseContinueRequest({ threadId: 1 }));   // nothing: back to the start
  await tr.stopped(() => dc.stepBackRequest({ threadId: 1 }));          // already there
  await tr.stopped(() => dc.continueRequest({ threadId: 1 }));
  await endSession(dc, tr);
});

async function zonesText(tr: Transcript): Promise<string> {
  const mark = tr.lines.length;
  await tr.scopes(['Zones', 'Tags', 'Maps', 'Last call'], 3, 5);
  const text = tr.lines.slice(mark).filter((l) => !l.includes('scopes:')).join('\n');
  tr.lines.length = mark;
  return text;
}

scenario('data-breakpoints', async (dc, tr) => {
  const program = fixture('loop.busdma');
  await tr.record(await launch(dc, { program }, tr));
  const info = await dc.dataBreakpointInfoRequest({ name: 'zone0.total_bpages' });
  tr.log(`dataBreakpointInfo zone0.total_bpages: ${info.body.dataId} [${info.body.accessTypes}] ${info.body.description}`);
  const bad = await dc.dataBreakpointInfoRequest({ name: 'zone0.lowaddr' });
  tr.log(`dataBreakpointInfo zone0.lowaddr: ${bad.body.dataId} ${bad.body.description}`);
  const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId! }] });
  tr.log(`setDataBreakpoints: ${set.body.breakpoints.map((b) => b.verified).join(',')}`);
  await tr.stopped(() => dc.continueRequest({ threadId: 1 }));   // zone0 appears
  await tr.stopped(() => dc.continueRequest({ threadId: 1 }));   // grows
  // A refcount through the Variables view: Zones > zone0 > refcount.
  const frameId = await tr.topFrameId();
  const scopes = await dc.scopesRequest({ frameId });
  const zonesRef = scopes.body.scopes.find((s) => s.name === 'Zones')!.variablesReference;
  const zone0 = (await dc.variablesRequest({ variablesReference: zonesRef })).body.variables.find((v) => v.name === 'zone0')!;
  const rc = await dc.dataBreakpointInfoRequest({ variablesReference: zone0.variablesReference, name: 'refcount' });
  tr.log(`dataBreakpointInfo zone0 > refcount: ${rc.body.dataId}`);
  const tagInfo = await dc.dataBreakpointInfoRequest({ name: 'x', variablesReference: 0 });
  tr.log(`dataBreakpointInfo x: ${tagInfo.body.dataId} ${tagInfo.body.description}`);
  await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: rc.body.dataId! }, { dataId: 'tag:t[2]/map_count', condition: 't[2].map_count == 2' }] });
  await tr.stopped(() => dc.continueRequest({ threadId: 1 }));
  await tr.stopped(() => dc.continueRequest({ threadId: 1 }));
  await tr.stopped(() => dc.continueRequest({ threadId: 1 }));
  await tr.stopped(() => dc.reverseContinueRequest({ threadId: 1 }));   // the previous change, backwards
  await dc.setDataBreakpointsRequest({ breakpoints: [] });
  await tr.stopped(() => dc.continueRequest({ threadId: 1 }));
  await endSession(dc, tr);
});

scenario('evaluate', async (dc, tr) => {
  const program = fixture('deferred.busdma');
  await launch(dc, { program, stopOnEntry: false, breakpoints: [{ line: 14 }, { line: 17 }] }, tr);
  const ev = async (expression: string, context: 'watch' | 'hover' | 'repl') => {
    try {
      const frameId = await tr.topFrameId();
      const r = await dc.evaluateRequest({ expression, context, frameId });
      tr.log(`eval[${context}] ${expression} => ${r.body.result.split('\n').join(' | ')}${r.body.variablesReference ? ' ▸' : ''}`);
    } catch (e) {
      tr.log(`eval[${context}] ${expression} => error: ${(e as Error).message}`);
    }
  };
  await ev('b.state', 'watch');
  await ev('zone0.total_bpages - zone0.free_bpages', 'watch');
  await ev('b', 'hover');
  await ev('zone0', 'hover');
  await ev('zone0.lowaddr', 'hover');
  await ev('sysctl hw.busdma.zone0', 'repl');
  await ev('sysctl', 'repl');
  await ev('errno == EINPROGRESS', 'repl');
  await ev('nope', 'repl');
  await ev('1 / 0', 'repl');
  await ev('zone0.', 'repl');
  await ev('zone7.total_bpages', 'watch');
  const c = await dc.send('completions', { text: 'zone0.to', column: 9 }) as DebugProtocol.CompletionsResponse;
  tr.log(`completions zone0.to: ${c.body.targets.map((t) => t.label).join(', ')}`);
  await tr.stopped(() => dc.continueRequest({ threadId: 1 }));
  await ev('b.state', 'watch');
  await ev('b', 'watch');
  await endSessionFromBreakpoint(dc, tr);
});

/** Continue until the session ends, recording every stop on the way. */
async function endSessionFromBreakpoint(dc: DebugClient, tr: Transcript): Promise<void> {
  let ended = false;
  const term = dc.waitForEvent('terminated').then(() => { ended = true; });
  for (let i = 0; i < 20 && !ended; i++) {
    const stop = dc.waitForEvent('stopped').catch(() => undefined);
    await dc.continueRequest({ threadId: 1 });
    const ev = await Promise.race([stop, term.then(() => undefined)]);
    if (ev) await tr.record(ev as DebugProtocol.StoppedEvent);
  }
  await term;
  tr.log('(end)');
}

scenario('restart', async (dc, tr) => {
  const program = fixture('orphan.busdma');
  await tr.record(await launch(dc, { program, breakpoints: [{ line: 16 }] }, tr));
  await tr.stopped(() => dc.continueRequest({ threadId: 1 }));
  await tr.stopped(() => dc.restartRequest({ arguments: { program, kernel: 'd48182', stopOnEntry: true } } as DebugProtocol.RestartArguments));
  await tr.stopped(() => dc.continueRequest({ threadId: 1 }), { scopes: ['Last call'] });
  await tr.stopped(() => dc.continueRequest({ threadId: 1 }));
  await tr.stopped(() => dc.continueRequest({ threadId: 1 }));
  await endSession(dc, tr);
});

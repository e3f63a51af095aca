// The adapter under a hostile client: requests before launch, unknown commands, malformed and
// huge arguments, a pause storm, a disconnect in the middle of a long continue, requests after
// disconnect. Every request gets a response (success or error) within 5 s, the adapter never
// crashes, leaves no timer behind (in process), and the next session works.
// (adapter-launch.test.ts covers bad launch arguments and a few wrong-order requests.)

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { INIT, TRANSPORTS, fixture, launch, startClient, type Transport } from './adapter-harness';

const LIMIT_MS = 5000;

interface Answer { ok: boolean; body?: any; message?: string }

/** A request that must be answered (either way) within 5 s; the timer never outlives it. */
async function answered(what: string, p: Promise<DebugProtocol.Response>, ms = LIMIT_MS): Promise<Answer> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error(`no response to ${what} within ${ms} ms`)), ms); });
  try {
    const r: Answer = await Promise.race([p.then((x): Answer => ({ ok: true, body: x.body }), (e: Error): Answer => ({ ok: false, message: e.message })), timeout]);
    if (!r.ok) assert.ok(typeof r.message === 'string' && r.message.length > 0, `${what}: an error response without a message`);
    return r;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Send any command with any `arguments`, exactly as given (also null, a number, a string): the
 * DebugClient's own send() drops arguments that have no keys.
 */
function raw(dc: DebugClient, command: string, args?: unknown): Promise<DebugProtocol.Response> {
  const c = dc as any;
  return new Promise((resolve, reject) => {
    const request: Record<string, unknown> = { type: 'request', seq: c.sequence++, command };
    if (args !== undefined) request.arguments = args;
    c.pendingRequests.set(request.seq, (r: DebugProtocol.Response) => (r.success ? resolve(r) : reject(new Error(r.message || '(error without a message)'))));
    const json = JSON.stringify(request);
    c.outputStream.write(`Content-Length: ${Buffer.byteLength(json, 'utf8')}\r\n\r\n${json}`, 'utf8');
  });
}

/** Resolves after ms, or false-y race partner; the timer is always cleared. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** Events of one kind from now on. */
function counter(dc: DebugClient, event: string): { n: number; off: () => void } {
  const c = { n: 0, off: () => dc.removeListener(event, inc) };
  const inc = () => { c.n++; };
  dc.on(event, inc);
  return c;
}

async function sanity(dc: DebugClient): Promise<void> {
  const r = await answered('evaluate 2 + 3', dc.evaluateRequest({ expression: '2 + 3', context: 'repl' }));
  assert.ok(r.ok, r.message);
  assert.equal(r.body.result, '5');
  const st = await answered('stackTrace', dc.stackTraceRequest({ threadId: 1 }));
  assert.ok(st.ok && st.body.stackFrames.length >= 1);
}

const BEFORE_LAUNCH: [string, unknown][] = [
  ['threads', {}], ['stackTrace', { threadId: 1 }], ['scopes', { frameId: 1 }], ['variables', { variablesReference: 999999 }],
  ['evaluate', { expression: 'zone0.total_bpages', context: 'watch' }], ['continue', { threadId: 1 }], ['next', { threadId: 1 }],
  ['stepIn', { threadId: 1 }], ['stepOut', { threadId: 1 }], ['stepBack', { threadId: 1 }], ['reverseContinue', { threadId: 1 }],
  ['pause', { threadId: 1 }], ['setBreakpoints', { source: { path: fixture('orphan.busdma') }, breakpoints: [{ line: 3 }] }],
  ['setExceptionBreakpoints', { filters: ['leak'] }], ['setDataBreakpoints', { breakpoints: [{ dataId: 'zone:zone0/total_bpages' }] }],
  ['dataBreakpointInfo', { name: 'zone0.total_bpages' }], ['exceptionInfo', { threadId: 1 }], ['completions', { text: 'zo', column: 3 }],
  ['timeline', {}], ['travel', { step: 3 }], ['restart', {}], ['source', { sourceReference: 1 }], ['loadedSources', {}],
  ['goto', { threadId: 1, targetId: 1 }], ['gotoTargets', { source: {}, line: 1 }], ['setVariable', { variablesReference: 1, name: 'x', value: '1' }],
  ['setExpression', { expression: 'errno', value: '1' }], ['readMemory', { memoryReference: '0', count: 1 }], ['modules', {}],
  ['stepInTargets', { frameId: 1 }], ['terminateThreads', { threadIds: [1] }], ['breakpointLocations', { source: { path: 'x' }, line: 1 }],
  ['setFunctionBreakpoints', { breakpoints: [{ name: 'main' }] }], ['setInstructionBreakpoints', { breakpoints: [] }], ['disassemble', { memoryReference: '0', instructionCount: 1 }],
  ['attach', {}], ['frobnicate', {}], ['', {}], ['__proto__', {}], ['constructor', {}], ['toString', {}],
];

/** Commands that do not resume the trace, for the malformed-arguments matrix. */
const INSPECT = [
  'threads', 'stackTrace', 'scopes', 'variables', 'evaluate', 'setBreakpoints', 'setExceptionBreakpoints', 'setDataBreakpoints',
  'dataBreakpointInfo', 'exceptionInfo', 'completions', 'timeline', 'travel', 'source', 'loadedSources', 'setVariable', 'pause',
  'cancel', 'breakpointLocations', 'frobnicate',
];
const BAD_ARGS: unknown[] = [
  undefined, null, 'a string', 42, -1, [], [1, 2], true, {}, { threadId: -1 }, { threadId: 1e300 }, { threadId: 'one' },
  { frameId: -5 }, { frameId: 2 ** 53 }, { variablesReference: -1 }, { variablesReference: 999999 }, { variablesReference: 'x' },
  { variablesReference: 1, filter: 'indexed', start: -10, count: 1e9 }, { expression: null }, { expression: 42 }, { expression: {} },
  { source: null }, { source: 'file' }, { source: { path: 42 } }, { breakpoints: 'all' }, { breakpoints: [null] }, { breakpoints: [{}] },
  { filters: 'leak' }, { filters: [42, null] }, { filterOptions: [{}] }, { step: -1 }, { step: 1e300 }, { step: NaN }, { step: '3' },
  { text: null, column: -1 }, { text: 'zone0.', column: 1e9 }, { name: null }, { name: 'zone0.total_bpages', variablesReference: -1 },
  { kernels: 'legacy' }, { kernels: [null, 42, '__proto__'] }, { from: -1e300, to: 1e300, columns: 1e9 }, { columns: -5 },
  { startFrame: -3, levels: -1, threadId: 1 }, { startFrame: 1e9, levels: 1e9, threadId: 1 }, { progressId: {} },
  { __proto__: { threadId: 1 } }, JSON.parse('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 1}}}'),
];

for (const t of TRANSPORTS) {
  test(`every request before launch is answered, then a launch works (${t})`, async () => {
    const dc = await startClient(t);
    try {
      // Even before initialize.
      for (const [cmd, args] of BEFORE_LAUNCH.slice(0, 6)) await answered(`${cmd} before initialize`, raw(dc, cmd, args));
      await dc.initializeRequest(INIT);
      for (const [cmd, args] of BEFORE_LAUNCH) {
        const a = await answered(`${cmd} before launch`, raw(dc, cmd, args));
        if (['continue', 'next', 'stepIn', 'stepBack', 'evaluate', 'travel', 'timeline', 'restart', 'frobnicate', 'attach'].includes(cmd)) {
          assert.equal(a.ok, false, `${cmd} before launch must be an error`);
        }
      }
      await launch(dc, { program: fixture('orphan.busdma') });
      await sanity(dc);
    } finally {
      await dc.stop();
    }
  });

  test(`unknown commands and malformed arguments are answered; the session still works (${t})`, async () => {
    const dc = await startClient(t);
    try {
      await launch(dc, { program: fixture('loop.busdma') });
      for (const cmd of INSPECT) {
        for (const args of BAD_ARGS) await answered(`${cmd} ${JSON.stringify(args)}`, raw(dc, cmd, args));
      }
      assert.equal(({} as any).polluted, undefined, 'no prototype pollution');
      // Huge arguments.
      const mb = 'zone0.total_bpages + '.repeat(50_000) + '1';
      assert.ok(mb.length > 1_000_000);
      for (const expression of [mb, '('.repeat(100_000) + '1' + ')'.repeat(100_000), '-'.repeat(1_000_000) + '1', 'x'.repeat(1_000_000), '"' + 'a'.repeat(1_000_000)]) {
        const a = await answered(`evaluate of ${expression.length} chars`, dc.evaluateRequest({ expression, context: 'repl' }));
        if (a.ok) assert.ok(typeof a.body.result === 'string');
      }
      const program = fixture('loop.busdma');
      const odd = await answered('setBreakpoints on odd lines', dc.setBreakpointsRequest({
        source: { path: program },
        breakpoints: [{ line: -5 }, { line: 0 }, { line: 1e9 }, { line: 2 ** 53 }, { line: 1.5 }, { line: 3, condition: '('.repeat(10_000) }, { line: 3, hitCondition: '>= 1e400' }, { line: 3, logMessage: '{'.repeat(100_000) }],
      }));
      assert.ok(odd.ok);
      assert.equal(odd.body.breakpoints.length, 8, 'one answer per breakpoint');
      const many = Array.from({ length: 10_000 }, (_, i) => ({ line: (i % 40) + 1, condition: i % 3 ? undefined : `i == ${i}` }));
      const t0 = Date.now();
      const lots = await answered('10,000 breakpoints', dc.setBreakpointsRequest({ source: { path: program }, breakpoints: many }));
      assert.ok(lots.ok && lots.body.breakpoints.length === 10_000);
      assert.ok(Date.now() - t0 < 3000, `10,000 breakpoints took ${Date.now() - t0} ms`);
      await answered('clear breakpoints', dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [] }));
      const data = await answered('10,000 data breakpoints', dc.setDataBreakpointsRequest({ breakpoints: Array.from({ length: 10_000 }, (_, i) => ({ dataId: i % 2 ? 'zone:zone0/total_bpages' : `junk${i}` })) }));
      assert.ok(data.ok);
      await answered('clear data breakpoints', dc.setDataBreakpointsRequest({ breakpoints: [] }));
      // Still a working session: evaluate, then a step stops where it should.
      await sanity(dc);
      const stopped = dc.waitForEvent('stopped', LIMIT_MS);
      await answered('next', dc.nextRequest({ threadId: 1 }));
      await stopped;
      await sanity(dc);
    } finally {
      await dc.stop();
    }
  });

  test(`travel far past the run so far is answered at once, not by running the rest of the trace (${t})`, async () => {
    const dc = await startClient(t);
    try {
      await launch(dc, { program: fixture('long.busdma') });
      for (const step of [1e12, Number.MAX_SAFE_INTEGER, 1e308]) {
        const t0 = Date.now();
        const stopped = dc.waitForEvent('stopped', LIMIT_MS) as Promise<DebugProtocol.StoppedEvent>;
        assert.ok((await answered(`travel ${step}`, dc.customRequest('travel', { step }))).ok);
        assert.equal((await stopped).body.reason, 'goto');
        assert.ok(Date.now() - t0 < 1000, `travel to ${step} took ${Date.now() - t0} ms`);
      }
      await sanity(dc);
    } finally {
      await dc.stop();
    }
  });

  test(`a pause storm during a long continue: 100 pauses answered, exactly one stop (${t})`, async () => {
    const dc = await startClient(t);
    try {
      await launch(dc, { program: fixture('long.busdma') });
      const stops = counter(dc, 'stopped');
      const first = dc.waitForEvent('stopped', LIMIT_MS) as Promise<DebugProtocol.StoppedEvent>;
      await answered('continue', dc.continueRequest({ threadId: 1 }));
      await new Promise((r) => setTimeout(r, 50));
      const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => answered(`pause ${i}`, dc.pauseRequest({ threadId: 1 }))));
      assert.equal(answers.filter((a) => a.ok).length, 100, 'every pause is answered with success');
      const ev = await first;
      assert.equal(ev.body.reason, 'pause');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(stops.n, 1, 'exactly one stopped event');
      stops.off();
      await sanity(dc);
    } finally {
      await dc.stop();
    }
  });
}

/** Timers and immediates alive in this process (the test runner's own are counted before). */
function timers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate').length;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

test('disconnect in the middle of a long continue: answered, no timer left, requests after it answered, the next session works (inline)', async () => {
  await settle();
  const before = timers();
  const dc = await startClient('inline');
  try {
    await launch(dc, { program: fixture('long.busdma'), stopOnEntry: true });
    await answered('continue', dc.continueRequest({ threadId: 1 }));
    await new Promise((r) => setTimeout(r, 150));
    const d = await answered('disconnect while running', dc.disconnectRequest({}));
    assert.ok(d.ok);
    // After disconnect: nothing may start running again, everything is answered.
    for (const [cmd, args] of [
      ['threads', {}], ['stackTrace', { threadId: 1 }], ['evaluate', { expression: 'steps' }], ['continue', { threadId: 1 }],
      ['next', { threadId: 1 }], ['stepBack', { threadId: 1 }], ['reverseContinue', { threadId: 1 }], ['pause', { threadId: 1 }],
      ['travel', { step: 1e12 }], ['restart', {}], ['launch', { program: fixture('orphan.busdma') }], ['disconnect', {}],
    ] as [string, unknown][]) {
      const a = await answered(`${cmd} after disconnect`, raw(dc, cmd, args));
      if (['continue', 'next', 'stepBack', 'reverseContinue', 'travel', 'restart', 'launch', 'evaluate'].includes(cmd)) {
        assert.equal(a.ok, false, `${cmd} after disconnect must be refused (it would start the trace again)`);
      }
    }
    await settle();
    await new Promise((r) => setTimeout(r, 50));
    await settle();
    assert.ok(timers() <= before, `timers before ${before}, after ${timers()}: ${process.getActiveResourcesInfo().join(', ')}`);
  } finally {
    await dc.stop();
  }
  // The same process, a new session.
  const dc2 = await startClient('inline');
  try {
    await launch(dc2, { program: fixture('orphan.busdma') });
    await sanity(dc2);
    const term = dc2.waitForEvent('terminated', LIMIT_MS);
    await answered('continue', dc2.continueRequest({ threadId: 1 }));
    // orphan.busdma may stop on default exception filters: continue until the session ends.
    for (let i = 0; i < 20; i++) {
      if ((await within(term, 200)) !== 'timeout') break;
      await answered('continue', dc2.continueRequest({ threadId: 1 }));
    }
    await term;
  } finally {
    await dc2.stop();
  }
  await settle();
  assert.ok(timers() <= before, `after the second session: ${process.getActiveResourcesInfo().join(', ')}`);
});

test('disconnect in the middle of a long continue: answered, the adapter process exits, a new one works (stdio)', async () => {
  const dc = await startClient('stdio');
  const proc = (dc as any)._adapterProcess as import('node:child_process').ChildProcess | undefined;
  assert.ok(proc, 'the stdio client has an adapter process');
  const exited = new Promise<number | null>((r) => proc!.once('exit', (code) => r(code)));
  try {
    await launch(dc, { program: fixture('long.busdma') });
    await answered('continue', dc.continueRequest({ threadId: 1 }));
    await new Promise((r) => setTimeout(r, 150));
    assert.ok((await answered('disconnect while running', dc.disconnectRequest({}))).ok);
    assert.equal(await within(exited, LIMIT_MS), 0, 'the adapter exits by itself, cleanly, after disconnect');
  } finally {
    (dc as any).stopAdapter(); // its process is gone: a disconnect would never be answered
  }
  const dc2 = await startClient('stdio');
  try {
    await launch(dc2, { program: fixture('orphan.busdma') });
    await sanity(dc2);
  } finally {
    await dc2.stop();
  }
});

export type { Transport };

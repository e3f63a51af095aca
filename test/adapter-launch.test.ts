// Bad launch arguments and requests in the wrong order: every request gets an answer, and
// launch errors say exactly what is wrong (golden: test-fixtures/golden/adapter-launch-errors.txt).

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { INIT, TRANSPORTS, assertGolden, fixture, launch, startClient } from './adapter-harness';

async function attempt(dc: DebugClient, args: Record<string, unknown>): Promise<string> {
  try {
    await dc.launchRequest(args as DebugProtocol.LaunchRequestArguments);
    return 'ok';
  } catch (e) {
    return (e as Error).message;
  }
}

for (const t of TRANSPORTS) {
  test(`bad launch arguments (${t})`, async () => {
    const lines: string[] = [];
    const cases: [string, Record<string, unknown>][] = [
      ['no program', {}],
      ['missing file', { program: fixture('does-not-exist.busdma') }],
      ['a directory', { program: fixture('') }],
      ['parse errors', { program: fixture('bad-syntax.busdma') }],
      ['unknown kernel', { program: fixture('orphan.busdma'), kernel: 'freebsd15' }],
      ['stopOnEntry not a boolean', { program: fixture('orphan.busdma'), stopOnEntry: 'yes' }],
    ];
    for (const [name, args] of cases) {
      const dc = await startClient(t);
      try {
        await dc.initializeRequest(INIT);
        lines.push(`${name}: ${await attempt(dc, args)}`);
      } finally {
        await dc.stop();
      }
    }
    assertGolden('adapter-launch-errors', lines.join('\n') + '\n');
  });

  test(`requests in the wrong order are all answered (${t})`, async () => {
    const dc = await startClient(t);
    const answers: string[] = [];
    const ask = async (what: string, p: Promise<DebugProtocol.Response>) => {
      try {
        const r = await p;
        answers.push(`${what}: ok ${JSON.stringify(r.body ?? {})}`);
      } catch (e) {
        answers.push(`${what}: error ${(e as Error).message}`);
      }
    };
    try {
      await ask('threads before initialize', dc.threadsRequest());
      await dc.initializeRequest(INIT);
      await ask('next before launch', dc.nextRequest({ threadId: 1 }));
      await ask('stackTrace before launch', dc.stackTraceRequest({ threadId: 1 }));
      await ask('evaluate before launch', dc.evaluateRequest({ expression: 'errno' }));
      await ask('pause before launch', dc.pauseRequest({ threadId: 1 }));
      await ask('variables with a stale reference', dc.variablesRequest({ variablesReference: 1234 }));
      await ask('exceptionInfo before launch', dc.exceptionInfoRequest({ threadId: 1 }));
      await ask('unknown request', dc.customRequest('frobnicate'));
      await ask('restart before launch', dc.restartRequest({}));
      const program = fixture('orphan.busdma');
      await launch(dc, { program });
      await ask('launch twice', dc.launchRequest({ program } as DebugProtocol.LaunchRequestArguments));
      await ask('pause while stopped', dc.pauseRequest({ threadId: 1 }));
      await ask('exceptionInfo without an exception', dc.exceptionInfoRequest({ threadId: 1 }));
      await ask('configurationDone again', dc.configurationDoneRequest());
      await ask('disconnect', dc.disconnectRequest({}));
    } finally {
      await dc.stop();
    }
    assertGolden('adapter-wrong-order', answers.join('\n') + '\n');
  });

  test(`pause answers at once during a long continue, with progress (${t})`, async () => {
    const dc = await startClient(t);
    try {
      await launch(dc, { program: fixture('long.busdma') });
      const progress = dc.waitForEvent('progressStart', 5000);
      const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
      await dc.continueRequest({ threadId: 1 });
      await progress;
      const t0 = Date.now();
      await dc.pauseRequest({ threadId: 1 });
      const ev = await stopped;
      assert.ok(Date.now() - t0 < 500, 'pause stops within a slice');
      assert.equal(ev.body.reason, 'pause');
      const st = await dc.stackTraceRequest({ threadId: 1 });
      assert.match(st.body.stackFrames[1].name, /^repeat \d+\/2000000$/);
      // Reverse continue to the line breakpoint far back, through the line log.
      await dc.setBreakpointsRequest({ source: { path: fixture('long.busdma') }, breakpoints: [{ line: 5 }] });
      const back = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
      await dc.reverseContinueRequest({ threadId: 1 });
      assert.equal((await back).body.reason, 'breakpoint');
      const st2 = await dc.stackTraceRequest({ threadId: 1 });
      assert.equal(st2.body.stackFrames[0].line, 5);
      // terminate while running: answered, then `terminated`, and no timer keeps running.
      const term = dc.waitForEvent('terminated');
      await dc.continueRequest({ threadId: 1 });
      await dc.terminateRequest({});
      await term;
    } finally {
      await dc.stop();
    }
  });
}

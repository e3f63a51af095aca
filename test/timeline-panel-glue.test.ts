// The VS Code side of the Timeline panel, against a minimal stand-in for the `vscode` module:
// which custom requests it sends to the debug adapter, and what it posts to the webview.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Module from 'node:module';
import { answerTimelineRequest, type TimelineRequestArgs } from '../src/timeline/window';
import { syntheticTimeline } from '../src/timeline/synthetic';
import { plotColumns } from '../src/timeline/svg';
import type { Timeline } from '../src/timeline/types';

type Listener<T> = (e: T) => void;
function emitter<T>() {
  const ls: Listener<T>[] = [];
  const event = (l: Listener<T>) => { ls.push(l); return { dispose() { ls.splice(ls.indexOf(l), 1); } }; };
  return { event, fire: (e: T) => { for (const l of [...ls]) l(e); } };
}

const commands = new Map<string, () => void>();
const trackers = new Map<string, { createDebugAdapterTracker(s: unknown): { onDidSendMessage(m: unknown): void } }>();
const activeSession = emitter<unknown>();
const terminated = emitter<unknown>();
const posted: Record<string, unknown>[] = [];
const requests: [string, unknown][] = [];
const fromPage = emitter<unknown>();
let panelHtml = '';
const runs: Record<string, Timeline> = {
  legacy: syntheticTimeline('legacy', { steps: 300 }),
  d48182: syntheticTimeline('d48182', { steps: 300 }),
};
let currentStep = 5;
const session = {
  id: 's1', type: 'busdma', name: 'trace',
  async customRequest(cmd: string, args: unknown) {
    requests.push([cmd, args]);
    if (cmd === 'timeline') {
      const a = args as TimelineRequestArgs;
      return answerTimelineRequest([runs.legacy, ...(a.kernels ?? []).map((k) => runs[k])], a, currentStep);
    }
    if (cmd === 'travel') return {};
    throw new Error(`unknown request ${cmd}`);
  },
};
const vscodeStub = {
  ViewColumn: { Beside: -2 },
  commands: { registerCommand: (id: string, f: () => void) => { commands.set(id, f); return { dispose() {} }; } },
  debug: {
    activeDebugSession: session,
    registerDebugAdapterTrackerFactory: (type: string, f: never) => { trackers.set(type, f); return { dispose() {} }; },
    onDidChangeActiveDebugSession: activeSession.event,
    onDidTerminateDebugSession: terminated.event,
  },
  window: {
    showWarningMessage: async () => undefined,
    createWebviewPanel: () => ({
      visible: true,
      reveal() {},
      onDidChangeViewState: emitter<unknown>().event,
      onDidDispose: emitter<unknown>().event,
      webview: {
        cspSource: 'vscode-webview://x',
        set html(v: string) { panelHtml = v; },
        get html() { return panelHtml; },
        onDidReceiveMessage: (l: Listener<unknown>) => fromPage.event(l),
        postMessage: async (m: Record<string, unknown>) => { posted.push(m); return true; },
      },
    }),
  },
};
const M = Module as unknown as { _load: (req: string, ...rest: unknown[]) => unknown };
const load = M._load;
M._load = function (req: string, ...rest: unknown[]) { return req === 'vscode' ? vscodeStub : load.call(this, req, ...rest); };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const panelModule = require('../src/editor/timelinePanel') as typeof import('../src/editor/timelinePanel');

const settle = () => new Promise((r) => setTimeout(r, 20));

test('the panel asks the adapter for the timeline, follows stops, travels, compares and toggles zones', async () => {
  const subs: { dispose(): void }[] = [];
  panelModule.registerTimelinePanel({ subscriptions: subs } as never);
  assert.ok(commands.has(panelModule.SHOW_TIMELINE_COMMAND));
  assert.ok(trackers.has('busdma'));
  commands.get(panelModule.SHOW_TIMELINE_COMMAND)!();
  assert.match(panelHtml, /Content-Security-Policy/);

  // the page says hello with its size: one `timeline` request with that many columns, one full update
  fromPage.fire({ type: 'ready', width: 800, height: 400 });
  await settle();
  assert.deepEqual(requests.shift(), ['timeline', { columns: plotColumns(800) }]);
  let u = posted.shift()!;
  assert.equal(u.type, 'update');
  assert.match(u.svg as string, /^<svg [^>]*width="800" height="400"/);
  assert.equal(u.cursorStep, 5);
  assert.deepEqual((u.kernels as { selected: string[] }).selected, ['legacy']);

  // a stop: the chart is the same, only the cursor moves
  currentStep = 6;
  trackers.get('busdma')!.createDebugAdapterTracker(session).onDidSendMessage({ type: 'event', event: 'stopped', body: { reason: 'step' } });
  await settle();
  assert.equal(requests.shift()![0], 'timeline');
  assert.deepEqual(posted.shift(), { type: 'update', cursorStep: 6 });

  // a click travels
  fromPage.fire({ type: 'travel', step: 42 });
  await settle();
  assert.deepEqual(requests.shift(), ['travel', { step: 42 }]);

  // comparing with d48182: the adapter is asked for that kernel too; the divergence comes back
  fromPage.fire({ type: 'compare', kernels: ['legacy', 'd48182'] });
  await settle();
  assert.deepEqual(requests.shift(), ['timeline', { columns: plotColumns(800), kernels: ['d48182'] }]);
  u = posted.shift()!;
  assert.match(u.svg as string, /<g class="bt-div" data-step="171"/);
  assert.deepEqual((u.kernels as { selected: string[] }).selected, ['legacy', 'd48182']);

  // hiding a zone redraws without it (the y axis rescales); zooming asks for a step range
  fromPage.fire({ type: 'zones', hidden: ['zone0', 'global'] });
  await settle();
  requests.shift();
  u = posted.shift()!;
  assert.doesNotMatch(u.svg as string, /class="bt-s[^"]*" data-kernel="[^"]*" data-zone="zone0"/);
  fromPage.fire({ type: 'range', from: 100, to: 199 });
  await settle();
  assert.deepEqual(requests.shift(), ['timeline', { from: 100, to: 199, columns: plotColumns(800), kernels: ['d48182'] }]);
  u = posted.shift()!;
  assert.match(u.svg as string, /data-from="100" data-to="199"/);

  // the session ends: a note, and the next page load starts afresh
  terminated.fire(session);
  await settle();
  assert.equal(posted.shift()!.message, 'The debug session has ended; the chart shows its last state.');
  assert.equal(requests.length, 0);
  for (const s of subs) s.dispose();
});

// The "busdma Timeline" panel: a webview beside the editor that shows the running busdma debug
// session's bounce pages over time (drawn by src/timeline's one renderer), follows the current
// step, and travels in time on click.
//
// It talks to the debug adapter with two custom requests:
//   customRequest('timeline', {from?, to?, columns, kernels?}) -> TimelineResponseBody
//       (src/timeline/window.ts; the adapter can answer with answerTimelineRequest())
//   customRequest('travel', {step})  -> travel to the state after step `step` (1-based; 0 = start),
//       then stop there (a `stopped` event), like a step back/forward.
// It refreshes after every `stopped` event of a busdma session (seen through a debug adapter
// tracker), when it becomes visible, is resized, zoomed, or the zones / kernels change.

import * as vscode from 'vscode';
import { KERNEL_IDS } from '../core/kernels';
import { makeNonce, panelUpdate, renderPanelHtml, type PanelUpdate } from '../timeline/panelHtml';
import { plotColumns } from '../timeline/svg';
import type { TimelineRequestArgs, TimelineResponseBody } from '../timeline/window';

export const SHOW_TIMELINE_COMMAND = 'busdma.showTimeline';
export const TIMELINE_VIEW_TYPE = 'busdma.timeline';
const DEBUG_TYPE = 'busdma';

/** Registers the `busdma.showTimeline` command and the listeners that keep the panel current.
 * Call once from activate(). */
export function registerTimelinePanel(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(SHOW_TIMELINE_COMMAND, () => TimelinePanel.show()),
    vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
      createDebugAdapterTracker(session) {
        return {
          onDidSendMessage(m: { type?: string; event?: string }) {
            if (m?.type === 'event' && (m.event === 'stopped' || m.event === 'invalidated')) TimelinePanel.current?.sessionStopped(session);
          },
        };
      },
    }),
    vscode.debug.onDidChangeActiveDebugSession((s) => {
      if (s?.type === DEBUG_TYPE) TimelinePanel.current?.sessionStopped(s);
    }),
    vscode.debug.onDidTerminateDebugSession((s) => TimelinePanel.current?.sessionEnded(s)),
  );
}

interface PageMessage {
  type: string;
  step?: number;
  width?: number;
  height?: number;
  hidden?: string[];
  from?: number;
  to?: number;
  kernels?: string[];
}

export class TimelinePanel {
  static current: TimelinePanel | undefined;

  private readonly nonce = makeNonce();
  private session: vscode.DebugSession | undefined;
  private width = 960;
  private height = 420;
  private range: { from?: number; to?: number } = {};
  private zonesHidden: string[] = [];
  private fieldsHidden: string[] = [];
  /** kernels ticked for comparison, the session's own included */
  private selected: string[] | undefined;
  private sessionKernel: string | undefined;
  private dirty = true;
  /** what the chart on the page was drawn from; see load() */
  private lastKey = '';
  private inflight = false;
  private again = false;
  private readonly disposables: vscode.Disposable[] = [];

  static show(): void {
    if (TimelinePanel.current) {
      TimelinePanel.current.panel.reveal(undefined, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(TIMELINE_VIEW_TYPE, 'busdma Timeline',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [], retainContextWhenHidden: false });
    TimelinePanel.current = new TimelinePanel(panel);
  }

  private constructor(private readonly panel: vscode.WebviewPanel) {
    const s = vscode.debug.activeDebugSession;
    this.session = s?.type === DEBUG_TYPE ? s : undefined;
    panel.webview.html = renderPanelHtml({ nonce: this.nonce, timelines: [], width: this.width, height: this.height, cspSource: panel.webview.cspSource });
    panel.webview.onDidReceiveMessage((m: PageMessage) => this.onMessage(m), undefined, this.disposables);
    panel.onDidChangeViewState(() => { if (panel.visible && this.dirty) this.refresh(); }, undefined, this.disposables);
    panel.onDidDispose(() => this.dispose(), undefined, this.disposables);
  }

  private dispose(): void {
    TimelinePanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  sessionStopped(session: vscode.DebugSession): void {
    if (session.type !== DEBUG_TYPE) return;
    if (this.session?.id !== session.id) {
      this.session = session;
      this.selected = undefined;
      this.range = {};
    }
    this.refresh();
  }

  sessionEnded(session: vscode.DebugSession): void {
    if (this.session?.id !== session.id) return;
    this.session = undefined;
    void this.post({ type: 'update', message: 'The debug session has ended; the chart shows its last state.' });
    this.lastKey = '';
  }

  private onMessage(m: PageMessage): void {
    switch (m.type) {
      case 'ready':
      case 'resize':
        if (m.type === 'ready') this.lastKey = '';   // a (re)loaded page has no chart yet
        if (typeof m.width === 'number' && m.width > 100) this.width = Math.round(m.width);
        if (typeof m.height === 'number' && m.height > 100) this.height = Math.round(Math.min(m.height, this.width * 0.75));
        this.refresh();
        break;
      case 'travel':
        if (this.session && typeof m.step === 'number' && Number.isFinite(m.step)) {
          this.session.customRequest('travel', { step: Math.max(0, Math.floor(m.step)) }).then(undefined, (e: unknown) => {
            void vscode.window.showWarningMessage(`busdma: cannot travel to step ${m.step}: ${errorText(e)}`);
          });
        }
        break;
      case 'zones':
        this.zonesHidden = (m.hidden ?? []).filter((x) => typeof x === 'string');
        this.refresh();
        break;
      case 'fields':
        this.fieldsHidden = (m.hidden ?? []).filter((x) => typeof x === 'string');
        this.refresh();
        break;
      case 'range':
        this.range = typeof m.from === 'number' && typeof m.to === 'number' && m.to >= m.from ? { from: Math.floor(m.from), to: Math.floor(m.to) } : {};
        this.refresh();
        break;
      case 'compare':
        this.selected = (m.kernels ?? []).filter((k) => (KERNEL_IDS as readonly string[]).includes(k));
        this.refresh();
        break;
    }
  }

  /** Asks the adapter for the timeline and redraws; coalesces requests made meanwhile. */
  refresh(): void {
    this.dirty = true;
    if (!this.panel.visible) return;
    if (this.inflight) { this.again = true; return; }
    this.inflight = true;
    this.dirty = false;
    void this.load().finally(() => {
      this.inflight = false;
      if (this.again) { this.again = false; this.refresh(); }
    });
  }

  private async load(): Promise<void> {
    try {
      await this.loadOnce();
    } catch (e) {
      this.lastKey = '';
      await this.post({ type: 'update', message: `busdma Timeline: ${errorText(e)}` });
    }
  }

  private async loadOnce(): Promise<void> {
    const session = this.session ?? (vscode.debug.activeDebugSession?.type === DEBUG_TYPE ? vscode.debug.activeDebugSession : undefined);
    if (!session) {
      this.lastKey = '';
      await this.post({ ...panelUpdate({ nonce: this.nonce, timelines: [], width: this.width, height: this.height }), message: 'Start debugging a .busdma trace to see its bounce pages over time.' });
      return;
    }
    this.session = session;
    const extra = (this.selected ?? []).filter((k) => k !== this.sessionKernel);
    const args: TimelineRequestArgs = { ...this.range, columns: plotColumns(this.width) };
    if (extra.length) args.kernels = extra;
    let body: TimelineResponseBody;
    try {
      body = (await session.customRequest('timeline', args)) as TimelineResponseBody;
    } catch (e) {
      this.lastKey = '';
      await this.post({ ...panelUpdate({ nonce: this.nonce, timelines: [], width: this.width, height: this.height }), message: `The debug adapter gave no timeline: ${errorText(e)}` });
      return;
    }
    if (!body || !Array.isArray(body.windows)) {
      this.lastKey = '';
      await this.post({ ...panelUpdate({ nonce: this.nonce, timelines: [], width: this.width, height: this.height }), message: 'The debug adapter gave no timeline.' });
      return;
    }
    this.sessionKernel = body.windows[0]?.kernel;
    const shown = body.windows.map((w) => w.kernel);
    if (!this.selected) this.selected = shown.slice();
    // after a plain step only the cursor moves: do not resend the chart
    const key = JSON.stringify([
      body.windows.map((w) => [w.kernel, w.steps, w.fromStep, w.toStep, w.columns, w.markers.length]),
      body.divergence?.step, this.width, this.height, this.range, this.zonesHidden, this.fieldsHidden,
    ]);
    if (key === this.lastKey) {
      await this.post({ type: 'update', cursorStep: body.currentStep });
      return;
    }
    this.lastKey = key;
    const update = panelUpdate({
      nonce: this.nonce,
      response: body,
      width: this.width,
      height: this.height,
      fromStep: this.range.from,
      toStep: this.range.to,
      zonesHidden: this.zonesHidden,
      fieldsHidden: this.fieldsHidden,
      kernels: { available: [...KERNEL_IDS], selected: shown },
    });
    await this.post(update);
  }

  private post(msg: PanelUpdate | { type: 'update'; message: string } | { type: 'update'; cursorStep?: number }): Thenable<boolean> {
    return this.panel.webview.postMessage(msg);
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

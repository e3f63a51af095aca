// The busdma debug session: a thin translation between DAP and the debuggee (debuggee.ts),
// its breakpoints (breakpoints.ts) and its variables (variables.ts). The same class runs in
// process in VS Code (DebugAdapterInlineImplementation) and as `node dist/debugAdapter.js`.
//
// Rules kept throughout: every request gets a response (also out of order, also disconnect);
// a stopped event always follows the response of the request that caused it; variable
// references are reset on every resume; a long continue runs in slices so that pause and
// disconnect are answered at once, and leaves no timer behind.

import * as path from 'path';
import {
  DebugSession, InitializedEvent, StoppedEvent, TerminatedEvent, ExitedEvent, OutputEvent, BreakpointEvent,
  ProgressStartEvent, ProgressUpdateEvent, ProgressEndEvent, Thread, StackFrame, Source,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { exitStatus } from '../trace/report';
import { sysctlLines } from '../trace/sysctl';
import { Breakpoints, EXCEPTION_FILTERS, FILTER_CONDITION_HELP, type LineBreakpoint } from './breakpoints';
import { Debuggee, type StepMode, type StopInfo, type RunRequest } from './debuggee';
import { compile, errorMessage, isHexExpr, showValue } from './expressions';
import { loadTrace, type BusdmaLaunchArguments, type LoadedTrace } from './launch';
import { VariableStore } from './variables';
import { answerTimelineRequest, type TimelineRequestArgs } from '../timeline/window';
import { isKernelId, type KernelId } from '../core/kernels';

export const TRACE_THREAD = 1;
export const BUSDMA_THREAD = 2;
/** Ticks per slice between looks at the clock; a slice yields after about SLICE_MS. */
const SLICE_TICKS = 2048;
const SLICE_MS = 12;
/** A continue that runs longer than this shows progress. */
const PROGRESS_AFTER_MS = 250;

interface Running {
  req: RunRequest;
  pause: boolean;
  timer?: NodeJS.Immediate;
  started: number;
  startTick: number;
  progressId?: string;
  lastProgress: number;
}

export interface SessionOptions {
  /** Directory relative `program` paths are resolved against. */
  cwd?: string;
}

export class BusdmaDebugSession extends DebugSession {
  private bps = new Breakpoints();
  private d?: Debuggee;
  private vars?: VariableStore;
  private trace?: LoadedTrace;
  private launchArgs?: BusdmaLaunchArguments;
  private running?: Running;
  private stopInfo?: StopInfo;
  private clientProgress = false;
  private configurationDone: Promise<void>;
  private resolveConfigurationDone!: () => void;
  private launched = false;
  private ended = false;
  /** After disconnect or terminate: nothing may run again (no zombie run, no timer). */
  private gone = false;
  private progressSeq = 0;

  constructor(private options: SessionOptions = {}) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    this.configurationDone = new Promise((res) => { this.resolveConfigurationDone = res; });
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private fail(response: DebugProtocol.Response, message: string, id = 3000, showUser = true): void {
    this.sendErrorResponse(response, { id, format: message.replace(/[{}]/g, (c) => (c === '{' ? '(' : ')')), showUser });
  }

  private output(category: string, text: string, line?: number): void {
    const e = new OutputEvent(text, category) as DebugProtocol.OutputEvent;
    if (line && this.trace) {
      e.body.source = this.source();
      e.body.line = this.convertDebuggerLineToClient(line);
    }
    this.sendEvent(e);
  }

  private source(): Source {
    const f = this.trace!.file;
    return new Source(path.basename(f), this.convertDebuggerPathToClient(f));
  }

  private notRunning(response: DebugProtocol.Response): boolean {
    if (!this.d || this.gone) { this.fail(response, this.gone ? 'busdma: the debug session has ended' : 'busdma: no trace is being debugged', 3001, false); return true; }
    return false;
  }

  private busy(response: DebugProtocol.Response): boolean {
    if (this.running) { this.fail(response, 'busdma: the trace is running; pause it first', 3002, false); return true; }
    return false;
  }

  private toProtocolBp(bp: LineBreakpoint): DebugProtocol.Breakpoint {
    const b: DebugProtocol.Breakpoint = { id: bp.id, verified: bp.verified, line: this.convertDebuggerLineToClient(bp.line) };
    if (bp.message) b.message = bp.message;
    if (this.trace) b.source = this.source();
    return b;
  }

  // ---- initialize, launch, restart, end ------------------------------------------------------------

  protected initializeRequest(response: DebugProtocol.InitializeResponse, args: DebugProtocol.InitializeRequestArguments): void {
    this.clientProgress = !!args.supportsProgressReporting;
    response.body = {
      ...response.body,
      supportsConfigurationDoneRequest: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsStepBack: true,
      supportsRestartRequest: true,
      supportsTerminateRequest: true,
      supportsEvaluateForHovers: true,
      supportsDataBreakpoints: true,
      supportsExceptionInfoRequest: true,
      supportsExceptionFilterOptions: true,
      supportsCancelRequest: true,
      supportsCompletionsRequest: true,
      completionTriggerCharacters: ['.'],
      supportsSetVariable: false,
      supportsFunctionBreakpoints: false,
      exceptionBreakpointFilters: EXCEPTION_FILTERS.map((f) => ({
        filter: f.filter, label: f.label, description: f.description, default: f.default,
        supportsCondition: true, conditionDescription: FILTER_CONDITION_HELP,
      })),
    };
    this.sendResponse(response);
  }

  protected async launchRequest(response: DebugProtocol.LaunchResponse, args: DebugProtocol.LaunchRequestArguments): Promise<void> {
    try {
      await this.launch(response, args);
    } catch (e) {
      this.fail(response, `busdma: launch failed: ${errorMessage(e)}`, 3008);
    }
  }

  private async launch(response: DebugProtocol.LaunchResponse, args: DebugProtocol.LaunchRequestArguments): Promise<void> {
    if (this.launched) return this.fail(response, 'busdma: this session already launched a trace', 3003);
    const res = loadTrace((args ?? {}) as BusdmaLaunchArguments, this.options.cwd);
    if (!res.ok) return this.fail(response, res.message, 3004);
    this.launched = true;
    this.launchArgs = args as BusdmaLaunchArguments;
    this.load(res.trace);
    // Breakpoints, filters and data breakpoints come now; wait for all of them (no timeout).
    this.sendEvent(new InitializedEvent());
    await this.configurationDone;
    if (this.ended) return this.sendResponse(response);
    this.sendResponse(response);
    this.begin();
  }

  /** A loaded trace becomes the debuggee; breakpoints are resolved against it. */
  private load(trace: LoadedTrace): void {
    this.trace = trace;
    this.d = new Debuggee(trace.program, this.bps, (cat, text, line) => this.output(cat, text, line), { kernel: trace.kernel, maxSteps: trace.maxSteps });
    this.vars = new VariableStore(this.d);
    this.stopInfo = undefined;
    for (const w of trace.warnings) this.output('console', w + '\n');
    this.output('console', `busdma: ${path.basename(trace.file)}, kernel ${this.d.runner.kernel}\n`);
    for (const bp of this.bps.setProgram(trace.program)) this.sendEvent(new BreakpointEvent('changed', this.toProtocolBp(bp)));
    this.bps.baseline(this.d.runner);
  }

  /** After launch or restart: stop on entry, or run to the first stop. */
  private begin(): void {
    if (this.trace!.stopOnEntry) {
      this.stopped({ reason: 'entry', description: 'Paused on entry' });
    } else {
      this.resume('continue', true);
    }
  }

  protected attachRequest(response: DebugProtocol.AttachResponse): void {
    this.fail(response, "busdma: traces are launched, not attached to: use \"request\": \"launch\"", 3005);
  }

  protected configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    this.resolveConfigurationDone();
  }

  protected restartRequest(response: DebugProtocol.RestartResponse, args: DebugProtocol.RestartArguments): void {
    if (!this.launched || !this.launchArgs) return this.fail(response, 'busdma: nothing to restart: no trace was launched', 3006, false);
    if (this.gone) return this.fail(response, 'busdma: the debug session has ended', 3001, false);
    const launchArgs = (args?.arguments as BusdmaLaunchArguments | undefined) ?? this.launchArgs;
    const res = loadTrace(launchArgs, this.options.cwd);
    if (!res.ok) return this.fail(response, res.message, 3004);
    this.cancelRun();
    this.launchArgs = launchArgs;
    this.vars?.reset();
    this.load(res.trace);
    this.sendResponse(response);
    this.begin();
  }

  protected disconnectRequest(response: DebugProtocol.DisconnectResponse, args: DebugProtocol.DisconnectArguments, request?: DebugProtocol.Request): void {
    this.cancelRun();
    this.ended = true;
    this.gone = true;
    this.resolveConfigurationDone();
    super.disconnectRequest(response, args, request);
  }

  protected terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.cancelRun();
    this.ended = true;
    this.gone = true;
    this.resolveConfigurationDone();
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  protected cancelRequest(response: DebugProtocol.CancelResponse, args: DebugProtocol.CancelArguments): void {
    if (args.progressId && this.running && this.running.progressId === args.progressId) this.running.pause = true;
    this.sendResponse(response);
  }

  // ---- breakpoints -------------------------------------------------------------------------------

  protected setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    const file = args.source.path;
    const req: DebugProtocol.SourceBreakpoint[] = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
    if (!file) {
      response.body = { breakpoints: req.map(() => ({ verified: false, message: 'busdma: breakpoints need a file path' })) };
      return this.sendResponse(response);
    }
    const bps = this.bps.setLineBreakpoints(this.convertClientPathToDebugger(file), req.map((b) => ({
      line: this.convertClientLineToDebugger(b.line), column: b.column, condition: b.condition, hitCondition: b.hitCondition, logMessage: b.logMessage,
    })));
    response.body = { breakpoints: bps.map((b) => this.toProtocolBp(b)) };
    this.sendResponse(response);
  }

  protected setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    const status = this.bps.setFilters(args.filters ?? [], args.filterOptions ?? []);
    response.body = { breakpoints: status };
    this.sendResponse(response);
  }

  protected dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    const res = this.vars ? this.vars.dataIdFor(args.variablesReference, args.name) : { reason: 'busdma: no trace is being debugged' };
    response.body = 'dataId' in res
      ? { dataId: res.dataId, description: res.description, accessTypes: ['write'], canPersist: true }
      : { dataId: null, description: res.reason };
    this.sendResponse(response);
  }

  protected setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): void {
    const data = this.bps.setDataBreakpoints(args.breakpoints, this.d?.runner);
    response.body = { breakpoints: data.map((d) => ({ id: d.id, verified: d.verified, message: d.message })) };
    this.sendResponse(response);
  }

  // ---- execution ----------------------------------------------------------------------------------

  protected continueRequest(response: DebugProtocol.ContinueResponse): void {
    if (this.notRunning(response)) return;
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
    if (!this.running) this.resume('continue');
  }

  protected nextRequest(response: DebugProtocol.NextResponse): void {
    this.step(response, 'next');
  }

  protected stepInRequest(response: DebugProtocol.StepInResponse): void {
    this.step(response, 'stepIn');
  }

  protected stepOutRequest(response: DebugProtocol.StepOutResponse): void {
    this.step(response, 'stepOut');
  }

  private step(response: DebugProtocol.Response, mode: StepMode): void {
    if (this.notRunning(response) || this.busy(response)) return;
    this.sendResponse(response);
    // After an exception shown at the statement that raised it, a step first moves to the next one.
    const disp = this.stopInfo?.display;
    if ((mode === 'next' || mode === 'stepIn') && disp && disp.line !== this.d!.position().line && !this.d!.runner.done) {
      this.vars!.reset();
      this.stopped({ reason: 'step', description: 'Paused after a step' });
      return;
    }
    this.resume(mode);
  }

  protected stepBackRequest(response: DebugProtocol.StepBackResponse): void {
    if (this.notRunning(response) || this.busy(response)) return;
    this.sendResponse(response);
    this.vars!.reset();
    this.stopped(this.d!.stepBack());
  }

  protected reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
    if (this.notRunning(response) || this.busy(response)) return;
    this.sendResponse(response);
    this.vars!.reset();
    this.stopped(this.d!.reverseContinue());
  }

  protected pauseRequest(response: DebugProtocol.PauseResponse): void {
    if (this.running) this.running.pause = true;
    this.sendResponse(response);
  }

  private resume(mode: StepMode, checkHere = false): void {
    const d = this.d!;
    this.vars!.reset();
    this.stopInfo = undefined;
    d.lastStop = undefined;
    this.bps.baseline(d.runner);
    this.running = {
      req: { mode, startDepth: d.depth(), checkHere }, pause: false, started: Date.now(), startTick: d.tick, lastProgress: 0,
    };
    this.running.timer = setImmediate(() => this.slice());
  }

  private slice(): void {
    const run = this.running;
    if (!run) return;
    run.timer = undefined;
    const d = this.d!;
    const t0 = Date.now();
    let stop: StopInfo | undefined;
    try {
      do {
        stop = d.runSlice(run.req, SLICE_TICKS);
      } while (!stop && !run.pause && Date.now() - t0 < SLICE_MS);
    } catch (e) {
      this.output('stderr', `busdma: internal error: ${errorMessage(e)}\n`);
      stop = { reason: 'exception', description: `Paused on an internal error: ${errorMessage(e)}`, exception: { id: 'internal error', description: errorMessage(e) } };
    }
    if (!stop && run.pause) stop = { reason: 'pause', description: 'Paused' };
    if (stop) {
      this.endProgress(run);
      this.running = undefined;
      this.stopped(stop);
      return;
    }
    this.progress(run);
    run.timer = setImmediate(() => this.slice());
  }

  private progress(run: Running): void {
    if (!this.clientProgress) return;
    const now = Date.now();
    if (now - run.started < PROGRESS_AFTER_MS || now - run.lastProgress < 100) return;
    run.lastProgress = now;
    const d = this.d!;
    const pos = d.position();
    const msg = `step ${d.runner.st.steps}, line ${pos.line}`;
    if (!run.progressId) {
      run.progressId = `busdma-run-${++this.progressSeq}`;
      const e = new ProgressStartEvent(run.progressId, 'Running the busdma trace', msg) as DebugProtocol.ProgressStartEvent;
      e.body.cancellable = true;
      this.sendEvent(e);
      return;
    }
    const e = new ProgressUpdateEvent(run.progressId, msg) as DebugProtocol.ProgressUpdateEvent;
    if (d.tm.horizon > run.startTick && d.tick < d.tm.horizon) {
      e.body.percentage = Math.floor((100 * (d.tick - run.startTick)) / (d.tm.horizon - run.startTick));
    }
    this.sendEvent(e);
  }

  private endProgress(run: Running): void {
    if (run.progressId) this.sendEvent(new ProgressEndEvent(run.progressId));
    run.progressId = undefined;
  }

  private cancelRun(): void {
    const run = this.running;
    if (!run) return;
    if (run.timer) clearImmediate(run.timer);
    this.endProgress(run);
    this.running = undefined;
  }

  private stopped(stop: StopInfo): void {
    if (stop.terminate) {
      this.stopInfo = undefined;
      this.ended = true;
      this.sendEvent(new ExitedEvent(exitStatus(this.d!.runner)));
      this.sendEvent(new TerminatedEvent());
      return;
    }
    this.stopInfo = stop;
    if (this.d) this.d.lastStop = stop;
    const e = new StoppedEvent(stop.reason, stop.busdmaThread ? BUSDMA_THREAD : TRACE_THREAD, stop.text) as DebugProtocol.StoppedEvent;
    e.body.description = stop.description;
    e.body.allThreadsStopped = true;
    if (stop.hitBreakpointIds) e.body.hitBreakpointIds = stop.hitBreakpointIds;
    this.sendEvent(e);
  }

  // ---- threads and stacks -------------------------------------------------------------------------

  protected threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    const threads = [new Thread(TRACE_THREAD, this.trace ? `trace ${path.basename(this.trace.file)}` : 'trace')];
    if (this.d && !this.running && this.busdmaThreadFrames().length) threads.push(new Thread(BUSDMA_THREAD, 'busdma thread'));
    response.body = { threads };
    this.sendResponse(response);
  }

  /** Frames of the busdma thread: the map it replays (an event of its replay), or the next one it will. */
  private busdmaThreadFrames(): { name: string; line: number }[] {
    const d = this.d;
    if (!d) return [];
    const st = d.runner.core.state;
    const ev = this.stopInfo?.busdmaThread ? this.stopInfo.exception?.event : undefined;
    if (ev && ev.map) {
      const m = [...st.maps.values()].find((x) => x.label === ev.map);
      return [
        { name: `replaying map ${ev.map}: the deferred load of line ${m?.queuedLine ?? '?'}`, line: m?.queuedLine || ev.line },
        { name: 'busdma_thread()', line: ev.line },
      ];
    }
    const pos = d.position();
    const atThread = pos.end === 'pending' || (pos.stmt?.kind === 'call' && pos.stmt.call === 'busdma_thread');
    if (!atThread || st.bounce_map_callbacklist.length === 0) return [];
    const next = st.maps.get(st.bounce_map_callbacklist.peek()!)!;
    const n = st.bounce_map_callbacklist.length;
    return [
      { name: `next: map ${next.label}, the deferred load of line ${next.queuedLine} (${n} on bounce_map_callbacklist)`, line: next.queuedLine },
      { name: pos.end ? 'busdma_thread() at the end of the trace' : 'busdma_thread()', line: pos.line },
    ];
  }

  protected stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    const d = this.d;
    if (!d || this.running) {
      response.body = { stackFrames: [], totalFrames: 0 };
      return this.sendResponse(response);
    }
    const src = this.source();
    const frames: StackFrame[] = [];
    if (args.threadId === BUSDMA_THREAD) {
      this.busdmaThreadFrames().forEach((f, i) => frames.push(new StackFrame(100 + i, f.name, src, this.convertDebuggerLineToClient(f.line), this.convertDebuggerColumnToClient(1))));
    } else {
      const pos = d.position();
      const disp = this.stopInfo?.display;
      const line = disp ? disp.line : pos.line;
      const col = disp ? disp.column : pos.column;
      let name: string;
      if (disp && d.lineText(disp.line)) name = d.lineText(disp.line);
      else if (pos.end === 'pending') name = 'end of trace: busdma_thread() runs the deferred loads';
      else if (pos.end === 'done') name = 'end of trace';
      else name = d.lineText(pos.line);
      frames.push(new StackFrame(1, name, src, this.convertDebuggerLineToClient(line), this.convertDebuggerColumnToClient(col)));
      const loops = d.loops();
      for (let i = loops.length - 1; i >= 0; i--) {
        const f = loops[i];
        frames.push(new StackFrame(2 + loops.length - 1 - i, `repeat ${f.iter + 1}/${f.count}`, src, this.convertDebuggerLineToClient(f.repeat.loc.line), this.convertDebuggerColumnToClient(f.repeat.loc.col)));
      }
    }
    const start = args.startFrame ?? 0;
    const levels = args.levels && args.levels > 0 ? args.levels : frames.length;
    response.body = { stackFrames: frames.slice(start, start + levels), totalFrames: frames.length };
    this.sendResponse(response);
  }

  protected scopesRequest(response: DebugProtocol.ScopesResponse): void {
    response.body = { scopes: this.vars && !this.running ? this.vars.scopes() : [] };
    this.sendResponse(response);
  }

  protected variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    response.body = { variables: this.vars && !this.running ? this.vars.variables(args.variablesReference, args.filter, args.start, args.count) : [] };
    this.sendResponse(response);
  }

  protected exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    const ex = this.stopInfo?.exception;
    if (!ex || !this.d) return this.fail(response, 'busdma: not stopped on an exception', 3007, false);
    const d = this.d;
    const file = path.basename(this.trace!.file);
    const ev = ex.event;
    const where: string[] = [];
    if (ev) where.push(`at ${file}:${ev.line}: ${d.lineText(ev.line)}`);
    else if (this.stopInfo?.display) where.push(`at ${file}:${this.stopInfo.display.line}: ${d.lineText(this.stopInfo.display.line)}`);
    if (ev?.zone) {
      const z = d.runner.zoneByName(ev.zone);
      if (z) where.push(`${z.name} created at ${file}:${z.line} (${d.lineText(z.line)})`);
    }
    for (const key of [ev?.tag, ev?.map]) {
      const h = key ? d.runner.st.handles.get(key) : undefined;
      if (key && h) where.push(`${h.kind} ${key} created at ${file}:${h.line} (${d.lineText(h.line)})`);
    }
    const fields = ev ? (['cause', 'zone', 'tag', 'map', 'from', 'to', 'pages'] as const).filter((k) => ev[k] !== undefined).map((k) => `${k} = ${ev[k]}`) : [];
    response.body = {
      exceptionId: ex.id,
      description: ex.description,
      breakMode: 'always',
      details: {
        message: ex.description + (fields.length ? ` [${fields.join(', ')}]` : ''),
        typeName: `busdma ${ex.id}`,
        stackTrace: where.join('\n'),
      },
    };
    this.sendResponse(response);
  }

  // ---- evaluate ------------------------------------------------------------------------------------

  protected evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    if (this.notRunning(response)) return;
    if (this.running) return this.fail(response, 'busdma: the trace is running; pause it to evaluate', 3002, false);
    const d = this.d!;
    const text = args.expression.trim();
    if (args.context === 'repl') {
      const sys = /^sysctl(?:\s+(\S+))?$/.exec(text);
      if (sys) {
        response.body = { result: sysctlLines(d.runner.core.state, sys[1]).join('\n'), variablesReference: 0 };
        return this.sendResponse(response);
      }
      if (text === 'help' || text === '?') {
        response.body = {
          result: 'Expressions in the trace language: zone0.total_bpages, rx.map_count, m[3].state, errno, leaked_bpages, global.total_bpages, ...\n'
            + 'A zone, tag or map name alone shows the whole object.\nsysctl [PREFIX]: the hw.busdma sysctl tree (e.g. sysctl hw.busdma.zone0).',
          variablesReference: 0,
        };
        return this.sendResponse(response);
      }
    }
    const p = compile(text.replace(/^print\s+/, ''));
    if (!p.ok) return this.fail(response, p.message, 3010, false);
    const e = p.expr;
    const r = d.runner;
    const vars = this.vars!;
    try {
      if (e.kind === 'name' && /^zone\d+$/.test(e.name)) {
        const z = r.zoneByName(e.name);
        if (z) {
          response.body = { result: vars.zoneSummary(z), variablesReference: vars.zoneRef(z), namedVariables: 20 };
          return this.sendResponse(response);
        }
      }
      if ((e.kind === 'name' && r.st.handles.has(e.name)) || e.kind === 'index') {
        const key = r.handleKey(e);
        const o = r.object(key);
        if ('error' in o) throw new Error(o.error);
        response.body = o.kind === 'tag'
          ? { result: vars.tagSummary(o.tag), variablesReference: vars.objectRef(key, 'tag') }
          : { result: vars.mapSummary(o.map), variablesReference: vars.objectRef(key, 'map') };
        return this.sendResponse(response);
      }
      const v = r.eval(e);
      response.body = { result: showValue(v, isHexExpr(e)), variablesReference: 0, type: typeof v === 'string' ? 'name' : 'u_long' };
      this.sendResponse(response);
    } catch (err) {
      this.fail(response, errorMessage(err), 3011, false);
    }
  }

  protected completionsRequest(response: DebugProtocol.CompletionsResponse, args: DebugProtocol.CompletionsArguments): void {
    const d = this.d;
    const items: DebugProtocol.CompletionItem[] = [];
    if (d) {
      const upto = args.text.slice(0, Math.max(0, args.column - 1));
      const m = /([A-Za-z_][\w]*(?:\[\d+\])?)\.(\w*)$/.exec(upto);
      if (m) {
        const base = m[1];
        let fields: readonly string[] = [];
        if (/^zone\d+$/.test(base)) fields = ['total_bpages', 'free_bpages', 'reserved_bpages', 'active_bpages', 'total_bounced', 'total_deferred', 'map_count', 'refcount', 'tags', 'lowaddr', 'alignment'];
        else if (base === 'global') fields = ['total_bpages', 'zone_count'];
        else {
          const h = d.runner.st.handles.get(base);
          if (h?.kind === 'tag') fields = ['map_count', 'lowaddr', 'highaddr', 'alignment', 'boundary', 'maxsize', 'nsegments', 'maxsegsz', 'bounce_zone', 'could_bounce', 'min_alloc_comp', 'flags', 'maxpages'];
          if (h?.kind === 'map') fields = ['pagesneeded', 'pagesreserved', 'bpages', 'state', 'cb_error', 'nsegs'];
        }
        for (const f of fields) if (f.startsWith(m[2])) items.push({ label: f, type: 'field', start: upto.length - m[2].length, length: m[2].length });
      } else {
        const w = /([A-Za-z_]\w*)$/.exec(upto)?.[1] ?? '';
        const names = [
          ...d.runner.core.state.zones.map((z) => z.name), ...[...d.runner.st.handles.keys()].filter((k) => !k.includes('[')),
          'errno', 'cb_error', 'leaked_bpages', 'steps', 'global', 'sysctl',
        ];
        for (const n of new Set(names)) if (n.startsWith(w)) items.push({ label: n, type: 'variable', start: upto.length - w.length, length: w.length });
      }
    }
    response.body = { targets: items };
    this.sendResponse(response);
  }

  // The timeline panel: 'timeline' returns downsampled windows of the run (and of the same
  // trace under other kernels); 'travel' goes to the state after a step. Any other request
  // this adapter does not know still gets an answer.
  protected customRequest(command: string, response: DebugProtocol.Response, args: any): void {
    if (command === 'timeline') {
      if (this.notRunning(response)) return;
      const a = (args && typeof args === 'object' ? args : {}) as TimelineRequestArgs;
      const kernels = Array.isArray(a.kernels) ? a.kernels.filter((k): k is KernelId => typeof k === 'string' && isKernelId(k)) : [];
      try {
        response.body = answerTimelineRequest(this.d!.timelines(kernels), {
          from: typeof a.from === 'number' ? a.from : undefined,
          to: typeof a.to === 'number' ? a.to : undefined,
          columns: typeof a.columns === 'number' ? a.columns : undefined,
        }, this.d!.runner.st.steps);
        this.sendResponse(response);
      } catch (e) {
        this.fail(response, `busdma: timeline: ${errorMessage(e)}`, 3098, false);
      }
      return;
    }
    if (command === 'travel') {
      if (this.notRunning(response) || this.busy(response)) return;
      const step = args && typeof args.step === 'number' && Number.isFinite(args.step) ? Math.max(0, Math.floor(args.step)) : undefined;
      if (step === undefined) {
        this.fail(response, "busdma: travel needs a numeric 'step'", 3097, false);
        return;
      }
      this.sendResponse(response);
      this.vars!.reset();
      // Only within the run so far (what the timeline shows): a step past it would run the rest
      // of the trace here, synchronously, deaf to pause and disconnect.
      this.d!.tm.gotoStep(Math.min(step, Math.max(this.d!.recorder.steps, this.d!.runner.st.steps)));
      this.stopped({ reason: 'goto', description: `Travelled to step ${this.d!.runner.st.steps}` });
      return;
    }
    this.fail(response, `busdma: unsupported request '${command}'`, 3099, false);
  }
}

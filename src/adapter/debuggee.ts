// The debuggee: a trace run under the debugger's control. Forward execution in slices (so that
// pause and disconnect are answered at once), stepping by loop level, breakpoints, exception
// filters and data breakpoints, and real time travel through the TimeMachine's checkpoints.
// No DAP here: the session translates StopInfo into protocol events.

import type { Program, Stmt } from '../trace/ast';
import { TraceRunner, type LoopPosition, type TraceEvent } from '../trace/runner';
import { TimeMachine } from '../trace/timetravel';
import { TimelineRecorder, recordTimeline } from '../trace/timeline';
import type { Timeline } from '../timeline/types';
import type { KernelId } from '../core/kernels';
import { FAILING_KINDS } from '../trace/report';
import { Breakpoints, eventNames, type DataBreakpoint, type LineBreakpoint } from './breakpoints';
import { errorMessage, renderLogMessage, truthy } from './expressions';

export type StepMode = 'continue' | 'next' | 'stepIn' | 'stepOut';

export interface ExceptionDetails {
  id: string;            // the event kind ('leak', ...) or 'trace error'
  description: string;   // the event's message
  event?: TraceEvent;
}

export interface StopInfo {
  reason: 'entry' | 'step' | 'breakpoint' | 'exception' | 'data breakpoint' | 'pause' | 'goto';
  description: string;
  text?: string;
  hitBreakpointIds?: number[];
  exception?: ExceptionDetails;
  /** Show the top frame here rather than at the next statement (the line that raised an event). */
  display?: { line: number; column: number };
  /** The stop concerns the busdma thread (an event its replay raised). */
  busdmaThread?: boolean;
  /** Continue at the end of the trace: the session ends. */
  terminate?: boolean;
  end?: boolean;
}

export interface OutputSink {
  (category: 'stdout' | 'stderr' | 'console' | 'important', text: string, line?: number): void;
}

export interface RunRequest {
  mode: StepMode;
  startDepth: number;
  /** Check breakpoints at the starting position first (launch without stopOnEntry). */
  checkHere: boolean;
}

export class Debuggee {
  readonly runner: TraceRunner;
  readonly tm: TimeMachine;
  readonly program: Program;
  readonly lines: string[];
  readonly lastLine: number;
  /** Lexical loop depth of each statement line (0 at the top level). */
  private depthOf = new Map<number, number>();
  /** Highest tick whose output and events went to the console. */
  private outHorizon = 0;
  /** The last stop; its display override holds until the position changes. */
  lastStop?: StopInfo;
  /** Page counters of every step run so far, for the timeline panel. */
  readonly recorder: TimelineRecorder;
  private kernelOpts: { kernel?: KernelId; maxSteps?: number };
  /** Whole runs of the same trace under other kernels, for comparison. */
  private others = new Map<string, Timeline>();

  /** The session's run so far, then the whole run under each of `kernels`. */
  timelines(kernels: string[] = []): Timeline[] {
    const out = [this.recorder.timeline()];
    for (const k of kernels) {
      if (k === this.runner.kernel) continue;
      let t = this.others.get(k);
      if (!t) {
        t = recordTimeline(this.program, k as KernelId, this.kernelOpts.maxSteps).timeline;
        this.others.set(k, t);
      }
      out.push(t);
    }
    return out;
  }

  constructor(program: Program, readonly bps: Breakpoints, private out: OutputSink, opts: { kernel?: KernelId; maxSteps?: number } = {}) {
    this.program = program;
    this.runner = new TraceRunner(program, { kernel: opts.kernel, maxSteps: opts.maxSteps });
    this.tm = new TimeMachine(this.runner);
    this.recorder = new TimelineRecorder(this.runner);
    this.runner.onStep = () => this.recorder.onStep();
    this.kernelOpts = opts;
    this.lines = program.source.split(/\r?\n/);
    let last = this.lines.length;
    while (last > 1 && this.lines[last - 1].trim() === '') last--;
    this.lastLine = Math.max(1, last);
    const walk = (stmts: Stmt[], d: number) => {
      for (const s of stmts) {
        this.depthOf.set(s.loc.line, d);
        if (s.kind === 'repeat') walk(s.body, d + 1);
      }
    };
    walk(program.body, 0);
  }

  // ---- position ------------------------------------------------------------------------------

  /** The repeat iterations to show: those of the statement a stop points at when it points
   * back at the statement that raised an event, else those around the next statement. */
  loops(): LoopPosition[] {
    const ev = this.lastStop?.display ? this.lastStop.exception?.event : undefined;
    if (ev && ev.tick === this.runner.st.tick && ev.loops) return ev.loops;
    return this.runner.loopPosition();
  }

  get tick(): number {
    return this.runner.st.tick;
  }

  depth(): number {
    return this.runner.st.frames.length;
  }

  /** Where the trace is: the next statement, or the end (pending: the final busdma thread run). */
  position(): { line: number; column: number; stmt?: Stmt; end?: 'pending' | 'done' } {
    const r = this.runner;
    const s = r.current();
    if (s && !r.st.finished) return { line: s.loc.line, column: s.loc.col, stmt: s };
    return { line: this.lastLine, column: 1, end: r.st.finished ? 'done' : 'pending' };
  }

  /** Source text of a line without its comment. */
  lineText(line: number): string {
    const t = this.lines[line - 1] ?? '';
    return t.replace(/\s*#.*$/, '').trim();
  }

  /** The last executed call before the current position: its line, or undefined. */
  lastCallLine(): number | undefined {
    const t = this.tm.findBack(this.tick + 1, (_t, line) => this.program.lines.get(line)?.kind === 'call');
    return t === undefined ? undefined : this.tm.lineAt(t);
  }

  // ---- forward ---------------------------------------------------------------------------------

  private forwardOne() {
    const r = this.tm.forward();
    const t = this.runner.st.tick;
    if (t > this.outHorizon) {
      this.outHorizon = t;
      for (const o of r.output) this.out('stdout', o.text + '\n', o.line);
      for (const e of r.events) {
        this.out(FAILING_KINDS.has(e.kind) ? 'stderr' : 'console', `${this.program.file.replace(/^.*[\\/]/, '')}:${e.line}: ${e.kind}: ${e.message}\n`, e.line);
      }
    }
    return r;
  }

  /** Run at most `budget` ticks. Returns a stop, or undefined when the budget ran out first. */
  runSlice(req: RunRequest, budget: number): StopInfo | undefined {
    const r = this.runner;
    if (req.checkHere) {
      req.checkHere = false;
      const s = this.lineBreakpointStop(true);
      if (s) return s;
    }
    if (r.done) {
      if (req.mode === 'continue' || req.mode === 'stepOut') return { reason: 'step', description: 'The trace has ended', terminate: true };
      return this.doneStop();
    }
    for (let i = 0; i < budget; i++) {
      const res = this.forwardOne();
      for (const ev of res.events) {
        if (this.bps.eventStops(ev, r, (m) => this.out('console', m + '\n'))) return this.exceptionStop(ev, res.kind);
      }
      if (r.st.panic || r.st.fatal) return this.doneStop();
      if (this.bps.data.length) {
        const d = this.dataStop();
        if (d) return d;
      }
      if (r.done) return this.doneStop();
      const depth = this.depth();
      if (req.mode === 'stepIn' || (req.mode === 'next' && depth <= req.startDepth) || (req.mode === 'stepOut' && depth < req.startDepth)) {
        return { reason: 'step', description: this.position().end ? 'Paused before the final busdma thread run' : 'Paused after a step' };
      }
      const b = this.lineBreakpointStop(true);
      if (b) return b;
    }
    return undefined;
  }

  /** The stop at the end of the run: finished, a panic, or a trace error. */
  doneStop(): StopInfo {
    const st = this.runner.st;
    if (st.panic) {
      const ev = [...this.runner.events].reverse().find((e) => e.kind === 'panic');
      const msg = ev?.message ?? `panic: ${st.panic.message}`;
      return {
        reason: 'exception', description: `Paused on panic: ${st.panic.message}`, text: msg,
        exception: { id: 'panic', description: msg, event: ev }, end: true,
      };
    }
    if (st.fatal) {
      return {
        reason: 'exception', description: `Paused on a trace error: ${st.fatal.message}`, text: st.fatal.message,
        exception: { id: 'trace error', description: st.fatal.message }, display: { line: st.fatal.line, column: st.fatal.col }, end: true,
      };
    }
    return { reason: 'step', description: 'Paused at the end of the trace (continue to end the session)', end: true };
  }

  exceptionStop(ev: TraceEvent, tickKind?: string): StopInfo {
    const stmt = this.program.lines.get(ev.line);
    const thread = ev.map !== undefined && (tickKind === 'finish' || (stmt?.kind === 'call' && stmt.call === 'busdma_thread'))
      && (ev.kind === 'error' || ev.kind === 'misuse' || ev.kind === 'unreachable');
    return {
      reason: 'exception',
      description: `Paused on ${ev.kind}: ${ev.message}`,
      text: ev.message,
      exception: { id: ev.kind, description: ev.message, event: ev },
      display: { line: ev.line, column: ev.column },
      busdmaThread: thread || undefined,
    };
  }

  private lineBreakpointStop(forward: boolean): StopInfo | undefined {
    const s = this.runner.current();
    if (!s || this.runner.done) return undefined;
    const bps = this.bps.byLine.get(s.loc.line);
    if (!bps) return undefined;
    const hit: number[] = [];
    let condError: string | undefined;
    for (const bp of bps) {
      const res = this.testLineBreakpoint(bp, forward);
      if (res === true) hit.push(bp.id);
      else if (typeof res === 'string') { hit.push(bp.id); condError = res; }
    }
    if (!hit.length) return undefined;
    if (condError) return { reason: 'breakpoint', description: `Paused on a breakpoint whose condition failed: ${condError}`, text: condError, hitBreakpointIds: hit };
    return { reason: 'breakpoint', description: 'Paused on breakpoint', hitBreakpointIds: hit };
  }

  /** true: stop; false: go on; a string: stop, the condition could not be evaluated. */
  private testLineBreakpoint(bp: LineBreakpoint, forward: boolean): boolean | string {
    const r = this.runner;
    if (bp.condition) {
      if (!bp.condition.ok) return false;
      try {
        if (!truthy(r.eval(bp.condition.expr))) return false;
      } catch (e) {
        return `${bp.condition.text}: ${errorMessage(e)}`;
      }
    }
    const t = this.tick;
    const ticks = bp.hitTicks;
    if (ticks.length === 0 || ticks[ticks.length - 1] < t) ticks.push(t);
    if (bp.hit) {
      if (!bp.hit(hitNumber(ticks, t))) return false;
    }
    if (bp.log) {
      if (forward) this.out('console', renderLogMessage(bp.log, r) + '\n', bp.line);
      return false;
    }
    return true;
  }

  private dataStop(): StopInfo | undefined {
    const r = this.runner;
    for (const d of this.bps.data) {
      if (!d.read || !d.verified) continue;
      const v = d.read(r);
      if (v === d.last) continue;
      const before = d.last;
      d.last = v;
      if (!this.dataConditionHolds(d)) continue;
      return this.dataStopInfo(d, before, v);
    }
    return undefined;
  }

  private dataConditionHolds(d: DataBreakpoint): boolean {
    if (d.condition) {
      if (!d.condition.ok) return false;
      try {
        if (!truthy(this.runner.eval(d.condition.expr))) return false;
      } catch {
        return false;
      }
    }
    d.hits++;
    return !d.hit || d.hit(d.hits);
  }

  private dataStopInfo(d: DataBreakpoint, before: string | undefined, after: string | undefined): StopInfo {
    const change = `${d.label} ${before ?? '(none)'} → ${after ?? '(none)'}`;
    const line = this.tm.lineAt(this.tick);
    return {
      reason: 'data breakpoint', description: `Paused on data breakpoint: ${change}`, text: change,
      hitBreakpointIds: [d.id], display: line > 0 ? { line, column: this.program.lines.get(line)?.loc.col ?? 1 } : undefined,
    };
  }

  // ---- backward --------------------------------------------------------------------------------

  private lexDepth(line: number): number {
    return this.depthOf.get(line) ?? 0;
  }

  /** Step back over: to the previous statement at the same loop level or an outer one. */
  stepBack(): StopInfo {
    const T = this.tick;
    if (T === 0) return { reason: 'step', description: 'At the start of the trace' };
    const cur = this.depth() - 1;
    const t = this.tm.findBack(T + 1, (_t, line) => this.lexDepth(line) <= cur);
    this.goto(t === undefined ? 0 : t - 1);
    return { reason: 'step', description: this.tick === 0 ? 'Stepped back to the start of the trace' : 'Stepped back' };
  }

  /** Back to the latest earlier state where a breakpoint, an exception filter or a data breakpoint stops. */
  reverseContinue(): StopInfo {
    const T = this.tick;
    let best = -1;
    let stop: StopInfo | undefined;
    // Line breakpoints, from the line log; conditions are evaluated in the state itself.
    if (this.bps.stopLines.size) {
      let before = T + 1;
      for (;;) {
        const t = this.tm.findBack(before, (_t, line) => this.bps.stopLines.has(line));
        if (t === undefined) break;
        const s = t - 1;
        if (s >= T) { before = t; continue; }
        this.goto(s);
        const b = this.lineBreakpointStop(false);
        if (b) { best = s; stop = b; break; }
        before = t;
      }
    }
    // Exception filters, from the event log (state = the tick that raised the event).
    if (this.bps.filters.size) {
      const evs = this.runner.events;
      for (let i = evs.length - 1; i >= 0; i--) {
        const ev = evs[i];
        if (ev.tick >= T || ev.tick <= best) continue;
        if (!this.bps.filters.has(ev.kind)) continue;
        const f = this.bps.filters.get(ev.kind)!;
        if (f.condition) {
          if (!f.condition.ok) continue;
          this.goto(ev.tick);
          let ok = false;
          try { ok = truthy(this.runner.eval(f.condition.expr, eventNames(ev))); } catch { ok = false; }
          if (!ok) continue;
        }
        best = ev.tick;
        this.goto(ev.tick);
        stop = this.exceptionStop(ev, this.tm.lineAt(ev.tick) === 0 ? 'finish' : undefined);
        break;
      }
    }
    // Data breakpoints: replay the stretch after the best stop so far, window by window, backwards.
    const live = this.bps.data.filter((d) => d.read && d.verified);
    if (live.length) {
      const found = this.findDataChangeBack(live, Math.max(best, 0), T);
      if (found) {
        this.goto(found.tick);
        for (const d of live) d.last = d.read!(this.runner);
        return this.dataStopInfo(found.bp, found.before, found.after);
      }
    }
    if (stop) {
      this.goto(best);
      return stop;
    }
    this.goto(0);
    return { reason: 'entry', description: 'Reversed to the start of the trace' };
  }

  /** The latest state s in (lo, hi) whose watched value differs from state s-1. */
  private findDataChangeBack(live: DataBreakpoint[], lo: number, hi: number): { tick: number; bp: DataBreakpoint; before?: string; after?: string } | undefined {
    let end = hi - 1;         // last state examined
    let width = 1024;
    while (end > lo) {
      const start = Math.max(lo, end - width);   // compare states start+1..end with their predecessors
      this.goto(start);
      let prev = live.map((d) => d.read!(this.runner));
      let last: { tick: number; bp: DataBreakpoint; before?: string; after?: string } | undefined;
      while (this.tick < end && !this.runner.done) {
        this.tm.forward();
        const cur = live.map((d) => d.read!(this.runner));
        for (let i = 0; i < live.length; i++) {
          if (cur[i] !== prev[i]) {
            const d = live[i];
            const c = d.condition;
            if (c && (!c.ok || !safeTruthy(() => this.runner.eval(c.expr)))) continue;
            last = { tick: this.tick, bp: d, before: prev[i], after: cur[i] };
          }
        }
        prev = cur;
      }
      if (last) return last;
      end = start;
      width *= 2;
    }
    return undefined;
  }

  /** Exact time travel to state t. */
  goto(t: number): void {
    this.tm.goto(t);
    this.bps.baseline(this.runner);
  }
}

function safeTruthy(f: () => import('../trace/evaluate').Value): boolean {
  try { return truthy(f()); } catch { return false; }
}

/** Hit number of state t: how many recorded hits at or before it. */
function hitNumber(ticks: number[], t: number): number {
  let lo = 0;
  let hi = ticks.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (ticks[m] <= t) lo = m + 1; else hi = m;
  }
  return lo;
}

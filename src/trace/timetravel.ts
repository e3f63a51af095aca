// Time travel over a deterministic run: checkpoints every K ticks plus replay.
//
// Choice of K: replaying a tick costs about a microsecond (a few hundred ns in the core plus
// the stepper), so restoring the nearest checkpoint and replaying at most K = 1024 ticks
// answers a step back in about a millisecond, far inside the 20 ms budget, while a
// checkpoint (a copy of the live objects only) every 1024 ticks adds under 0.1% to a forward
// run. The number of checkpoints is capped (MAX_CHECKPOINTS, and a weight budget for traces
// whose state is large): past the cap every other checkpoint is dropped and K doubles, so
// memory stays bounded however long the run, and a step back replays at most K ticks, which
// grows only as (ticks / MAX_CHECKPOINTS).
//
// Lines and events are logged per tick as the run first passes them (the run is
// deterministic, so a replay produces the same ones); reverse searches for a line or an event
// read the logs instead of re-executing.

import type { Checkpoint, TickResult, TraceRunner } from './runner';
import { stmtLine } from './ast';

export const DEFAULT_INTERVAL = 1024;
export const MAX_CHECKPOINTS = 1024;
/** About 100 bytes per weight unit: the default budget keeps checkpoints near 100 MB at most. */
export const WEIGHT_BUDGET = 1_000_000;

export class TimeMachine {
  readonly runner: TraceRunner;
  private checkpoints: Checkpoint[] = [];
  private weight = 0;
  interval: number;
  /** Line of the statement each tick ran (index = tick), as far as the run has been. */
  private lines = new Int32Array(1024);
  private lastTick = 0;

  constructor(runner: TraceRunner, interval = DEFAULT_INTERVAL) {
    this.runner = runner;
    this.interval = interval;
    this.take();
  }

  get tick(): number {
    return this.runner.st.tick;
  }

  /** The furthest tick the run has reached so far. */
  get horizon(): number {
    return this.lastTick;
  }

  checkpointCount(): number {
    return this.checkpoints.length;
  }

  /** Line run at tick t (0 if unknown or the end-of-trace tick). */
  lineAt(t: number): number {
    return t <= this.lastTick && t < this.lines.length ? this.lines[t] : 0;
  }

  private take(): void {
    const c = this.runner.snapshot();
    this.checkpoints.push(c);
    this.weight += c.weight;
    if (this.checkpoints.length > MAX_CHECKPOINTS || this.weight > WEIGHT_BUDGET) this.thin();
  }

  /** Drop every other checkpoint (never the first) and double the spacing. */
  private thin(): void {
    const kept: Checkpoint[] = [this.checkpoints[0]];
    for (let i = 1; i < this.checkpoints.length; i++) if (i % 2 === 0) kept.push(this.checkpoints[i]);
    this.checkpoints = kept;
    this.weight = kept.reduce((a, c) => a + c.weight, 0);
    this.interval *= 2;
  }

  /** One tick forward, logging its line and taking a checkpoint when one is due. */
  forward(): TickResult {
    const r = this.runner.tick();
    const t = this.runner.st.tick;
    if (t > this.lastTick) {
      if (t >= this.lines.length) {
        const n = new Int32Array(this.lines.length * 2);
        n.set(this.lines);
        this.lines = n;
      }
      this.lines[t] = r.stmt ? stmtLine(r.stmt) : 0;
      this.lastTick = t;
    }
    const last = this.checkpoints[this.checkpoints.length - 1];
    if (t - last.tick >= this.interval && t > last.tick) this.take();
    return r;
  }

  /** Travel to tick t (clamped to what can be reached). Exact: the state is the run's own. */
  goto(t: number): void {
    if (t < 0) t = 0;
    if (t < this.runner.st.tick) {
      let i = this.checkpoints.length - 1;
      while (i > 0 && this.checkpoints[i].tick > t) i--;
      this.runner.restore(this.checkpoints[i]);
    }
    while (this.runner.st.tick < t && !this.runner.done) this.forward();
  }

  /**
   * Travel to the state right after step `step` ran (0: the start). Steps count executed
   * statements; ticks also count loop entries, so the nearest checkpoint is found by its steps.
   */
  gotoStep(step: number): void {
    if (step <= 0) {
      this.goto(0);
      return;
    }
    const r = this.runner;
    if (step <= r.st.steps) {
      let i = this.checkpoints.length - 1;
      while (i > 0 && this.checkpoints[i].interp.steps >= step) i--;
      r.restore(this.checkpoints[i]);
    }
    while (r.st.steps < step && !r.done) this.forward();
  }

  /** The latest tick before `before` at which `pred(tick, line)` holds, from the line log. */
  findBack(before: number, pred: (tick: number, line: number) => boolean): number | undefined {
    for (let t = Math.min(before - 1, this.lastTick); t >= 1; t--) {
      if (pred(t, this.lines[t])) return t;
    }
    return undefined;
  }
}

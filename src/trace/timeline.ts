// Records a run's page counters step by step for the charts (src/timeline). Zones are kept
// sparse while recording (only their lifetime), and become the renderer's full-length series
// when a Timeline is built.

import type { Timeline, TimelineEvent, ZoneSeries } from '../timeline/types';
import type { Program } from './ast';
import { TraceRunner } from './runner';
import type { KernelId } from '../core/kernels';

class Growable {
  a = new Int32Array(1024);
  n = 0;
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
}

interface ZoneTrack {
  name: string;
  lowaddr: string;
  start: number;             // index of its first recorded step
  total: Growable;
  free: Growable;
  reserved: Growable;
  active: Growable;
  peak: number;
  dead: boolean;
}

/** Above this many bytes of zone series, only the zones with the highest peaks are drawn. */
export const SERIES_BUDGET = 192 * 1024 * 1024;

export class TimelineRecorder {
  private lines = new Growable();
  private global = new Growable();
  private zones: ZoneTrack[] = [];
  private cache: { steps: number; t: Timeline } | undefined;

  constructor(private readonly runner: TraceRunner) {}

  /** Steps recorded so far. */
  get steps(): number {
    return this.lines.n;
  }

  /** Call after every step; steps already recorded (a replay after time travel) are skipped. */
  onStep(): void {
    const r = this.runner;
    const step = r.st.steps;
    if (step <= this.lines.n) return;
    const i = this.lines.n;
    const stmtLine = r.core.line;
    this.lines.push(stmtLine);
    const s = r.core.state;
    this.global.push(s.total_bpages);
    for (let k = this.zones.length; k < s.zones.length; k++) {
      const z = s.zones[k];
      this.zones.push({
        name: z.name, lowaddr: '0x' + z.lowaddr.toString(16), start: i,
        total: new Growable(), free: new Growable(), reserved: new Growable(), active: new Growable(), peak: 0, dead: false,
      });
    }
    for (let k = 0; k < this.zones.length; k++) {
      const t = this.zones[k];
      if (t.dead) continue;
      const z = s.zones[k];
      if (z.destroyed) {
        t.dead = true;
        continue;
      }
      t.total.push(z.total_bpages);
      t.free.push(z.free_bpages);
      t.reserved.push(z.reserved_bpages);
      t.active.push(z.active_bpages);
      if (z.total_bpages > t.peak) t.peak = z.total_bpages;
    }
  }

  /** The run so far as the renderer's Timeline (cached until another step is recorded). */
  timeline(): Timeline {
    const steps = this.lines.n;
    if (this.cache && this.cache.steps === steps) return this.cache.t;
    const r = this.runner;
    let chosen = this.zones;
    const per = steps * 16;
    if (per > 0 && this.zones.length * per > SERIES_BUDGET) {
      const keep = Math.max(1, Math.floor(SERIES_BUDGET / per));
      chosen = [...this.zones].sort((a, b) => b.peak - a.peak || a.start - b.start).slice(0, keep)
        .sort((a, b) => a.start - b.start);
    }
    const zones: ZoneSeries[] = chosen.map((t) => {
      const full = (g: Growable) => {
        const a = new Int32Array(steps).fill(-1);
        a.set(g.a.subarray(0, Math.min(g.n, steps - t.start)), t.start);
        return a;
      };
      return { name: t.name, lowaddr: t.lowaddr, total: full(t.total), free: full(t.free), reserved: full(t.reserved), active: full(t.active) };
    });
    const events: TimelineEvent[] = [];
    for (const e of r.events) {
      if (e.step < 1 || e.step > steps) continue;
      events.push({ step: e.step, kind: e.kind, line: e.line, message: e.message, ...(e.zone ? { zone: e.zone } : {}) });
    }
    const t: Timeline = {
      kernel: r.kernel,
      file: r.program.file,
      steps,
      lines: this.lines.a.slice(0, steps),
      global: this.global.a.slice(0, steps),
      zones,
      events,
    };
    this.cache = { steps, t };
    return t;
  }
}

/** Run a whole trace under one kernel and record its timeline (the CLI's compare and plot). */
export function recordTimeline(program: Program, kernel: KernelId | undefined, maxSteps?: number): { timeline: Timeline; runner: TraceRunner } {
  const runner = new TraceRunner(program, { kernel, maxSteps });
  const rec = new TimelineRecorder(runner);
  runner.onStep = () => rec.onStep();
  runner.runToEnd();
  return { timeline: rec.timeline(), runner };
}

// A TimelineWindow is what the chart is drawn from: one run's counters over a range of steps,
// downsampled into pixel columns, plus its events grouped per column. It is plain JSON (no typed
// arrays), small (O(columns), whatever the number of steps), so a debug adapter can send it in
// a custom-request response and a webview can receive it. Pure: no I/O, no `vscode`.
//
// Steps here are 1-based step numbers, as in TimelineEvent.step; a range [fromStep, toStep] is
// inclusive at both ends (steps 1..steps is the whole run).

import type { Timeline, TimelineEvent } from './types';
import { ABSENT, columnOf, downsample, type Downsampled } from './downsample';
import { COUNTER_FIELDS, firstDivergence, type CounterField, type Divergence } from './compare';

export interface ColumnSeries {
  /** per column; -1 = absent in the whole column */
  min: number[];
  max: number[];
  /** value at the first / last step of the column; -1 = absent at that step */
  first: number[];
  last: number[];
}

export interface WindowZone {
  name: string;
  lowaddr: string;
  total: ColumnSeries;
  free: ColumnSeries;
  reserved: ColumnSeries;
  active: ColumnSeries;
}

/** The events of one kind that fall in one column. */
export interface WindowMarker {
  kind: string;
  column: number;
  count: number;
  /** step, line, message and zone of the first of them */
  step: number;
  line: number;
  message: string;
  zone?: string;
}

export interface TimelineWindow {
  kernel: string;
  file: string;
  /** length of the whole run */
  steps: number;
  /** the range covered, 1-based, inclusive (clamped to 1..steps; fromStep > toStep when empty) */
  fromStep: number;
  toStep: number;
  columns: number;
  /** first step of each column; starts[columns] = toStep + 1 */
  starts: number[];
  /** trace line of the last step of each column */
  lines: number[];
  global: ColumnSeries;
  zones: WindowZone[];
  markers: WindowMarker[];
}

export interface WindowRange {
  /** first step, 1-based inclusive; default 1 */
  from?: number;
  /** last step, 1-based inclusive; default the last step of the run */
  to?: number;
  /** number of columns (pixels); default 1000 */
  columns?: number;
}

function toColumns(d: Downsampled): ColumnSeries {
  return { min: Array.from(d.min), max: Array.from(d.max), first: Array.from(d.first), last: Array.from(d.last) };
}

/** Clamps a 1-based inclusive range to a run of `steps` steps. */
export function clampSteps(steps: number, from?: number, to?: number): [number, number] {
  const f = Math.max(1, Math.floor(from ?? 1));
  const t = Math.min(steps, Math.floor(to ?? steps));
  return [f, t];
}

/** Downsamples one run into a window of at most `columns` columns. */
export function makeWindow(t: Timeline, range: WindowRange = {}): TimelineWindow {
  const [fromStep, toStep] = clampSteps(t.steps, range.from, range.to);
  const from = fromStep - 1;               // index range [from, to)
  const to = Math.max(from, toStep);
  const requested = range.columns ?? 1000;
  const global = downsample(t.global, from, to, requested);
  const n = global.columns;
  const starts: number[] = [];
  for (let c = 0; c <= n; c++) starts.push(from + Math.floor((c * (to - from)) / Math.max(1, n)) + 1);
  const lines: number[] = [];
  for (let c = 0; c < n; c++) lines.push(t.lines[starts[c + 1] - 2] ?? 0);
  const zones: WindowZone[] = t.zones.map((z) => {
    const wz = { name: z.name, lowaddr: z.lowaddr } as WindowZone;
    for (const f of COUNTER_FIELDS) wz[f] = toColumns(downsample(z[f], from, to, requested));
    return wz;
  });
  return {
    kernel: t.kernel,
    file: t.file,
    steps: t.steps,
    fromStep,
    toStep,
    columns: n,
    starts,
    lines,
    global: toColumns(global),
    zones,
    markers: n > 0 ? groupEvents(t.events, t.steps, from, to, n) : [],
  };
}

/** Events grouped per (column, kind), in column order. An event's step is clamped to 1..steps
 * (events raised at the end of the trace, such as `stall`, belong to the last step). */
function groupEvents(events: TimelineEvent[], steps: number, from: number, to: number, n: number): WindowMarker[] {
  const groups = new Map<string, WindowMarker>();
  for (const e of events) {
    const step = Math.min(Math.max(1, e.step), Math.max(1, steps));
    const i = step - 1;
    if (i < from || i >= to) continue;
    const column = columnOf(from, to, n, i);
    const key = `${column}\u0000${e.kind}`;
    const g = groups.get(key);
    if (g) {
      g.count++;
      if (step < g.step) Object.assign(g, { step, line: e.line, message: e.message, zone: e.zone });
    } else {
      const m: WindowMarker = { kind: e.kind, column, count: 1, step, line: e.line, message: e.message };
      if (e.zone !== undefined) m.zone = e.zone;
      groups.set(key, m);
    }
  }
  return [...groups.values()].sort((a, b) => a.column - b.column || a.step - b.step);
}

/** The column of a window that holds `step`, or -1 outside the window. */
export function windowColumnOf(w: TimelineWindow, step: number): number {
  if (w.columns <= 0 || step < w.fromStep || step > w.toStep) return -1;
  return columnOf(w.fromStep - 1, w.toStep, w.columns, step - 1);
}

/** The counters of a window's column (the values at its last step, and the min/max over it). */
export function columnValues(w: TimelineWindow, c: number): { zone: string; field: CounterField; last: number; min: number; max: number }[] {
  const out: { zone: string; field: CounterField; last: number; min: number; max: number }[] = [];
  for (const z of w.zones) {
    for (const f of COUNTER_FIELDS) {
      const s = z[f];
      if (s.max[c] === ABSENT) continue;
      out.push({ zone: z.name, field: f, last: s.last[c], min: s.min[c], max: s.max[c] });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The `timeline` custom request of the debug adapter

export interface TimelineRequestArgs extends WindowRange {
  /** extra kernels to compare with (the adapter runs the same trace under each) */
  kernels?: string[];
}

export interface TimelineResponseBody {
  /** one window per run: the session's kernel first, then the requested comparison kernels */
  windows: TimelineWindow[];
  /** first divergence, computed on the full (not downsampled) runs; null if one run */
  divergence: Divergence | null;
  /** the step the session is stopped after (0 = before the first step), for the cursor */
  currentStep?: number;
}

/** What a debug adapter answers to `customRequest('timeline', args)`: every run downsampled over
 * the same step range and column count, and the divergence of the full runs. Windows and the
 * divergence are memoised per Timeline object (keyed by its current `steps`, so a timeline that
 * grows while it is recorded is recomputed), which makes repeated requests after each stop cheap. */
export function answerTimelineRequest(timelines: Timeline[], args: TimelineRequestArgs = {}, currentStep?: number): TimelineResponseBody {
  const steps = Math.max(0, ...timelines.map((t) => t.steps));
  const [from, to] = clampSteps(steps, args.from, args.to);
  const columns = Math.max(1, Math.min(Math.floor(args.columns ?? 1000), 8192));
  const windows = timelines.map((t) => cachedWindow(t, from, to, columnsFor(t.steps, from, to, columns)));
  const body: TimelineResponseBody = { windows, divergence: cachedDivergence(timelines) };
  if (currentStep !== undefined) body.currentStep = currentStep;
  return body;
}

const windowCache = new WeakMap<Timeline, { key: string; window: TimelineWindow }>();
function cachedWindow(t: Timeline, from: number, to: number, columns: number): TimelineWindow {
  const key = `${t.steps}/${t.events.length}/${from}/${to}/${columns}`;
  const hit = windowCache.get(t);
  if (hit && hit.key === key) return hit.window;
  const window = makeWindow(t, { from, to, columns });
  windowCache.set(t, { key, window });
  return window;
}

const divergenceCache = new WeakMap<Timeline, { others: Timeline[]; steps: number[]; value: Divergence | null }>();
function cachedDivergence(timelines: Timeline[]): Divergence | null {
  if (timelines.length < 2) return null;
  const [first, ...others] = timelines;
  const steps = timelines.map((t) => t.steps);
  const hit = divergenceCache.get(first);
  if (hit && hit.others.length === others.length && hit.others.every((o, i) => o === others[i]) && hit.steps.every((s, i) => s === steps[i])) return hit.value;
  const value = firstDivergence(timelines);
  divergenceCache.set(first, { others, steps, value });
  return value;
}

/** A shorter run covers fewer of the requested steps: give it proportionally fewer columns, so
 * that a column covers the same number of steps in every run and their columns line up. */
export function columnsFor(runSteps: number, from: number, to: number, columns: number): number {
  const span = to - from + 1;
  const covered = Math.min(runSteps, to) - from + 1;
  if (span <= 0 || covered <= 0) return 0;
  if (covered >= span) return columns;
  return Math.max(1, Math.round((columns * covered) / span));
}

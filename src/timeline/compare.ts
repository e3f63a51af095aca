// Comparing runs of one trace under several kernels: the first step where their counters
// diverge, and a table of the final counters. Pure: no I/O, no `vscode`.

import type { Timeline, ZoneSeries } from './types';

export type CounterField = 'total' | 'free' | 'reserved' | 'active';
export const COUNTER_FIELDS: readonly CounterField[] = ['total', 'free', 'reserved', 'active'];

/** The kernel's name of each counter (sysctl hw.busdma.zoneN.*). */
export const FIELD_SYSCTL: Record<CounterField, string> = {
  total: 'total_bpages',
  free: 'free_bpages',
  reserved: 'reserved_bpages',
  active: 'active_bpages',
};

/** The pseudo-zone name used for the global total_bpages. */
export const GLOBAL_ZONE = 'global';

export interface DivergenceValue {
  kernel: string;
  /** the counter after that step; null = the zone does not exist there (or, for field
   * 'steps', the run has already ended) */
  value: number | null;
}

export interface Divergence {
  /** 1-based step number (as TimelineEvent.step): the first step after which the runs differ */
  step: number;
  /** 0-based index into the series (step - 1) */
  index: number;
  /** trace line of that step (from the first timeline that has it), 0 if none */
  line: number;
  /** zone whose counter differs; GLOBAL_ZONE ('global') for the global total_bpages;
   * absent when the runs differ in length only */
  zone?: string;
  /** 'total' | 'free' | 'reserved' | 'active' for a counter; 'steps' when one run ended
   * (e.g. a panic) while another went on */
  field?: CounterField | 'steps';
  /** one entry per timeline, in the order given */
  values: DivergenceValue[];
}

/** Zone names across timelines, in order of first appearance (timeline order, then creation
 * order). */
export function zoneNames(timelines: Timeline[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const t of timelines) for (const z of t.zones) if (!seen.has(z.name)) { seen.add(z.name); out.push(z.name); }
  return out;
}

function findZone(t: Timeline, name: string): ZoneSeries | undefined {
  return t.zones.find((z) => z.name === name);
}

/** value at index i of an optional series: null if the series is missing, the index is past its
 * end, or the zone is absent there */
function at(series: Int32Array | undefined, i: number): number | null {
  if (!series || i >= series.length) return null;
  const v = series[i];
  return v < 0 ? null : v;
}

/** First index < limit where the given series (undefined = the zone never exists = absent
 * throughout) do not all agree, or -1. Absent (any negative value) equals only absent. */
function firstDiff(series: (Int32Array | undefined)[], limit: number): number {
  const norm = series.map((s) => s ?? null);
  if (norm.every((s) => s === norm[0])) return -1;
  for (let i = 0; i < limit; i++) {
    const s0 = norm[0];
    const v0 = s0 && s0[i] >= 0 ? s0[i] : -1;
    for (let k = 1; k < norm.length; k++) {
      const s = norm[k];
      const v = s && s[i] >= 0 ? s[i] : -1;
      if (v !== v0) return i;
    }
  }
  return -1;
}

/**
 * The first step at which any zone counter (zones matched by name; a zone present in one run and
 * absent in another counts), or the global total_bpages, differs between the timelines. Zones are
 * checked in zoneNames() order and fields in COUNTER_FIELDS order, then the global total; on a tie
 * (several differ at the same step) the first in that order is reported. If all counters agree
 * over the common steps but the runs have different lengths, the divergence is the first step
 * past the shortest run, with field 'steps'. Null when fewer than two timelines or none differ.
 */
export function firstDivergence(timelines: Timeline[]): Divergence | null {
  if (timelines.length < 2) return null;
  const limit = Math.min(...timelines.map((t) => t.steps));
  let bestIndex = -1;
  let bestZone: string | undefined;
  let bestField: CounterField | 'steps' | undefined;
  const consider = (idx: number, zone: string, field: CounterField) => {
    if (idx >= 0 && (bestIndex < 0 || idx < bestIndex)) { bestIndex = idx; bestZone = zone; bestField = field; }
  };
  for (const name of zoneNames(timelines)) {
    const zs = timelines.map((t) => findZone(t, name));
    for (const f of COUNTER_FIELDS) {
      // only scan up to the current best: a later divergence cannot win
      const lim = bestIndex < 0 ? limit : bestIndex;
      consider(firstDiff(zs.map((z) => z?.[f]), lim), name, f);
    }
  }
  consider(firstDiff(timelines.map((t) => t.global), bestIndex < 0 ? limit : bestIndex), GLOBAL_ZONE, 'total');

  if (bestIndex < 0) {
    if (timelines.every((t) => t.steps === limit)) return null;
    const values = timelines.map((t) => ({ kernel: t.kernel, value: t.steps > limit ? t.steps : null }));
    const longer = timelines.find((t) => t.steps > limit)!;
    return { step: limit + 1, index: limit, line: longer.lines[limit] ?? 0, field: 'steps', values };
  }
  const i = bestIndex;
  const values = timelines.map((t) => {
    const series = bestZone === GLOBAL_ZONE ? t.global : findZone(t, bestZone!)?.[bestField as CounterField];
    return { kernel: t.kernel, value: at(series, i) };
  });
  const withLine = timelines.find((t) => i < t.lines.length);
  return { step: i + 1, index: i, line: withLine ? withLine.lines[i] : 0, zone: bestZone, field: bestField, values };
}

/** One-line description: "step 42 (line 17): zone0.total_bpages legacy=9 d48182=8" */
export function describeDivergence(d: Divergence | null): string {
  if (!d) return 'no divergence';
  const where = `step ${d.step}${d.line ? ` (line ${d.line})` : ''}`;
  const vals = d.values.map((v) => `${v.kernel}=${v.value === null ? (d.field === 'steps' ? 'ended' : 'absent') : v.value}`).join(' ');
  if (d.field === 'steps') return `${where}: run length differs, steps ${vals}`;
  const name = d.zone === GLOBAL_ZONE ? 'global.total_bpages' : `${d.zone}.${FIELD_SYSCTL[d.field as CounterField]}`;
  return `${where}: ${name} ${vals}`;
}

// ---------------------------------------------------------------------------------------------
// Final counters table (CLI `compare`)

export interface FinalRow {
  /** zone name, 'global', 'steps' or 'events' */
  zone: string;
  /** counter field ('total' ...), or the event kind for zone 'events', or '' */
  field: string;
  /** display label, e.g. "zone0.total_bpages" */
  label: string;
  /** one per kernel; null = the zone does not exist at the end of that run (never created or
   * destroyed) */
  values: (number | null)[];
  /** true when not all values are equal */
  differs: boolean;
}

export interface FinalTable {
  kernels: string[];
  rows: FinalRow[];
  divergence: Divergence | null;
}

export const EVENT_KINDS = ['leak', 'refcount', 'error', 'misuse', 'unreachable', 'stall', 'expect', 'panic'] as const;

function row(zone: string, field: string, label: string, values: (number | null)[]): FinalRow {
  return { zone, field, label, values, differs: values.some((v) => v !== values[0]) };
}

/**
 * The counters after the last step of each run: rows zone × field (zones in zoneNames() order,
 * fields total/free/reserved/active), then global.total_bpages, the number of steps, and the
 * number of events of each kind that occurs in any run. Columns: the kernels, in the order given.
 */
export function finalTable(timelines: Timeline[]): FinalTable {
  const rows: FinalRow[] = [];
  for (const name of zoneNames(timelines)) {
    for (const f of COUNTER_FIELDS) {
      const values = timelines.map((t) => at(findZone(t, name)?.[f], t.steps - 1));
      rows.push(row(name, f, `${name}.${FIELD_SYSCTL[f]}`, values));
    }
  }
  rows.push(row(GLOBAL_ZONE, 'total', 'global.total_bpages', timelines.map((t) => at(t.global, t.steps - 1) ?? 0)));
  rows.push(row('steps', '', 'steps', timelines.map((t) => t.steps)));
  const kinds = [...EVENT_KINDS as readonly string[]];
  for (const t of timelines) for (const e of t.events) if (!kinds.includes(e.kind)) kinds.push(e.kind);
  for (const k of kinds) {
    const values = timelines.map((t) => t.events.reduce((n, e) => n + (e.kind === k ? 1 : 0), 0));
    if (values.some((v) => v > 0)) rows.push(row('events', k, `${k} events`, values));
  }
  return { kernels: timelines.map((t) => t.kernel), rows, divergence: firstDivergence(timelines) };
}

/** Plain-text rendering of a FinalTable: aligned columns, a `*` before rows that differ, a `-`
 * for a zone that does not exist at the end, and a last line with the first divergence. */
export function renderTableText(table: FinalTable): string {
  const header = ['', 'counter', ...table.kernels];
  const body = table.rows.map((r) => [r.differs ? '*' : '', r.label, ...r.values.map((v) => (v === null ? '-' : String(v)))]);
  const all = [header, ...body];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const fmt = (r: string[]) =>
    r.map((cell, c) => (c <= 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd();
  const lines = [fmt(header), fmt(widths.map((w, c) => (c === 0 ? ''.padEnd(w) : '-'.repeat(w)))), ...body.map(fmt)];
  lines.push('');
  lines.push(`first divergence: ${describeDivergence(table.divergence)}`);
  return lines.join('\n') + '\n';
}

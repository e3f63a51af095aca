// Inline values while debugging: the zone counters and the last errno beside the lines that
// changed them. Pure: the VS Code glue (register.ts) gathers the debug session's state and
// hands it here; this module decides which line shows what.
//
// Two sources of per-line information:
// - exact: the adapter's `timeline` custom request (src/timeline/window.ts) with one column
//   per step gives the counters after every step and the line of each step
//   (lineInfoFromSteps);
// - fallback: snapshots of the counters read with `evaluate` at successive stops; a single
//   step forward attributes the changes to the line it executed (InlineTracker).

import { ERRNO_NAMES } from '../core/constants';
import { lexLine } from '../trace/lexer';
import { CALLS } from '../trace/parser';

export interface ZoneCounters {
  total: number;
  free: number;
  reserved: number;
  active: number;
}

/** What one line changed the last time it ran. */
export interface LineInfo {
  zones: { name: string; counters: ZoneCounters }[];
  /** The errno the call on this line returned (0 or a name), when known. */
  errno?: number;
}

export interface InlineText {
  line: number;
  /** 1-based column where the text goes: the end of the statement. */
  col: number;
  text: string;
}

/** `zone0: total 17 free 16` (reserved and active only when not 0). */
export function formatZone(name: string, c: ZoneCounters): string {
  let s = `${name}: total ${c.total} free ${c.free}`;
  if (c.reserved) s += ` reserved ${c.reserved}`;
  if (c.active) s += ` active ${c.active}`;
  return s;
}

export function formatErrno(e: number): string {
  return `errno = ${e === 0 ? '0' : (ERRNO_NAMES[e] ?? String(e))}`;
}

/** The 1-based column just after a line's statement (before any comment), or undefined for a
 * line without one. */
export function statementEnd(lineText: string): number | undefined {
  const toks = lexLine(lineText);
  return toks.length ? toks[toks.length - 1].endCol : undefined;
}

/** Whether a line is a busdma call (`m = bus_dmamap_create(t)`, `bus_dmamap_load(...)`). */
export function isCallLine(lineText: string): boolean {
  const toks = lexLine(lineText);
  return toks.some((t, i) => t.kind === 'ident' && t.text in CALLS && toks[i + 1]?.kind === 'punct' && toks[i + 1].text === '(');
}

/**
 * The inline texts for the lines in [startLine, endLine] (1-based, inclusive): one per line
 * that changed zone counters or set an errno, at the end of its statement (`lineText(line)`
 * gives the document's text), the zones then the errno separated by `, `.
 */
export function inlineTexts(lineText: (line: number) => string | undefined, info: ReadonlyMap<number, LineInfo>, startLine = 1, endLine = Number.MAX_SAFE_INTEGER): InlineText[] {
  const out: InlineText[] = [];
  const lines = [...info.keys()].filter((l) => l >= startLine && l <= endLine).sort((a, b) => a - b);
  for (const line of lines) {
    const li = info.get(line)!;
    const parts = li.zones.map((z) => formatZone(z.name, z.counters));
    if (li.errno !== undefined) parts.push(formatErrno(li.errno));
    if (!parts.length) continue;
    const src = lineText(line);
    const col = src === undefined ? undefined : statementEnd(src);
    if (col === undefined) continue;
    out.push({ line, col, text: parts.join(', ') });
  }
  return out;
}

/** Per-step counters of one zone: index k is the state after step `fromStep + k`; -1 when the
 * zone does not exist then. */
export interface ZoneSteps {
  name: string;
  total: ArrayLike<number>;
  free: ArrayLike<number>;
  reserved: ArrayLike<number>;
  active: ArrayLike<number>;
}

/**
 * Exact per-line information from a per-step record: for every line, the counters of the zones
 * that its last run (at or before `currentStep`) changed, as they were after it. `lines[k]` is
 * the line of step `fromStep + k` (steps are 1-based; step s leaves the state of index s - fromStep).
 * A zone that appears at a step counts as changed there; a zone that disappears is left out.
 */
export function lineInfoFromSteps(fromStep: number, lines: ArrayLike<number>, zones: ZoneSteps[], currentStep: number): Map<number, LineInfo> {
  const out = new Map<number, LineInfo>();
  const last = Math.min(currentStep - fromStep, lines.length - 1);
  // Walk backwards: the first time a line is seen is its latest run.
  for (let k = last; k >= 0; k--) {
    const line = lines[k];
    if (out.has(line)) continue;
    const changed: LineInfo['zones'] = [];
    for (const z of zones) {
      const now = at(z, k);
      if (!now) continue;
      const before = k > 0 ? at(z, k - 1) : undefined;
      if (k === 0 && fromStep > 1) continue; // no state before the window: unknown
      if (!before || before.total !== now.total || before.free !== now.free || before.reserved !== now.reserved || before.active !== now.active) {
        changed.push({ name: z.name, counters: now });
      }
    }
    if (changed.length) out.set(line, { zones: changed });
    else out.set(line, { zones: [] });
  }
  for (const [l, li] of out) if (!li.zones.length) out.delete(l);
  return out;
}

function at(z: ZoneSteps, k: number): ZoneCounters | undefined {
  const total = z.total[k];
  if (total === undefined || total < 0) return undefined;
  return { total, free: z.free[k], reserved: z.reserved[k], active: z.active[k] };
}

/** The zone counters and errno read at one stop. */
export interface Snapshot {
  zones: Map<string, ZoneCounters>;
  errno?: number;
}

function sameCounters(a: ZoneCounters, b: ZoneCounters): boolean {
  return a.total === b.total && a.free === b.free && a.reserved === b.reserved && a.active === b.active;
}

/**
 * The fallback: follows the stops of one debug session. After a single step forward from line
 * P, the zones whose counters differ from the previous stop are shown beside P, with the errno
 * when P is a call. Any other move (continue, step back, restart) keeps no attribution: the
 * lines it ran are unknown, and the previous texts would be stale.
 */
export class InlineTracker {
  private prev?: { line: number; snap: Snapshot };
  private info = new Map<number, LineInfo>();

  /** `isCall(line)`: the line holds a busdma call (its errno is shown). */
  constructor(private readonly isCall: (line: number) => boolean) {}

  /** Records a stop at `line` with the state `snap`; `steppedForward` when the session got here
   * by one step (next / step in) from the previous stop. Returns the per-line information. */
  stop(line: number, snap: Snapshot, steppedForward: boolean): ReadonlyMap<number, LineInfo> {
    const p = this.prev;
    if (p && p.line === line && sameSnapshot(p.snap, snap)) return this.info; // the same stop, asked again
    if (!steppedForward || !p) this.info = new Map();
    else {
      const zones: LineInfo['zones'] = [];
      for (const [name, c] of snap.zones) {
        const b = p.snap.zones.get(name);
        if (!b || !sameCounters(b, c)) zones.push({ name, counters: c });
      }
      const li: LineInfo = { zones };
      if (this.isCall(p.line) && snap.errno !== undefined) li.errno = snap.errno;
      if (li.zones.length || li.errno !== undefined) this.info.set(p.line, li);
      else this.info.delete(p.line);
    }
    this.prev = { line, snap };
    return this.info;
  }
}

function sameSnapshot(a: Snapshot, b: Snapshot): boolean {
  if (a.errno !== b.errno || a.zones.size !== b.zones.size) return false;
  for (const [k, v] of a.zones) {
    const w = b.zones.get(k);
    if (!w || !sameCounters(v, w)) return false;
  }
  return true;
}

/** The expressions the glue evaluates for a snapshot of `zoneCount` zones (after reading
 * `global.zone_count`): `errno`, then each zone's four counters, in this order. */
export function snapshotExpressions(zoneCount: number, maxZones = 16): string[] {
  const out = ['errno'];
  for (let z = 0; z < Math.min(zoneCount, maxZones); z++) {
    for (const f of ['total_bpages', 'free_bpages', 'reserved_bpages', 'active_bpages']) out.push(`zone${z}.${f}`);
  }
  return out;
}

/** The snapshot from the values of snapshotExpressions() (undefined for one that failed). */
export function snapshotFrom(values: (number | undefined)[]): Snapshot {
  const zones = new Map<string, ZoneCounters>();
  for (let z = 0; 1 + 4 * z + 3 < values.length; z++) {
    const [total, free, reserved, active] = values.slice(1 + 4 * z, 5 + 4 * z);
    if (total === undefined || free === undefined || reserved === undefined || active === undefined) continue;
    zones.set(`zone${z}`, { total, free, reserved, active });
  }
  return { zones, errno: values[0] };
}

/** An evaluate result as a number: decimal, hex, or an errno name. */
export function parseEvaluated(result: string): number | undefined {
  const s = result.trim();
  if (/^\d+$/.test(s)) return Number(s);
  if (/^0x[0-9a-f]+$/i.test(s)) return Number.parseInt(s.slice(2), 16);
  for (const [n, name] of Object.entries(ERRNO_NAMES)) if (name === s) return Number(n);
  return undefined;
}

// Breakpoints of every kind, in the trace's own terms: line breakpoints (slid to the next
// statement, with conditions, hit counts and logpoints), exception filters for the events of
// trace-language.md section 6 (with conditions on the event's fields) and data breakpoints on
// counters (stable dataIds such as `zone:zone0/total_bpages`). No DAP transport here: the
// session turns these into protocol objects.

import * as path from 'path';
import type { Program, Stmt } from '../trace/ast';
import type { TraceEvent, TraceRunner } from '../trace/runner';
import { mapField, tagField, zoneField } from '../trace/runner';
import type { Value } from '../trace/evaluate';
import {
  compile, compileHitCondition, compileLogMessage, errorMessage, truthy, type HitTest, type LogPart, type Parsed,
} from './expressions';

// ---- exception filters -------------------------------------------------------------------------

export interface FilterSpec {
  filter: string;
  label: string;
  description: string;
  default: boolean;
}

export const EXCEPTION_FILTERS: FilterSpec[] = [
  { filter: 'leak', label: 'Leaks', default: true, description: 'Bounce pages that can never be used or freed again: an orphaned zone, pages allocated over the cap, a stranded reservation' },
  { filter: 'refcount', label: 'Zone refcount drops', default: true, description: "A bounce zone's reference count drops (kernels with refcounted zones: d47521, d48182)" },
  { filter: 'error', label: 'Unchecked errors', default: false, description: 'A call returns a non-zero errno (or calls back with one) and no expect on the next line checks it' },
  { filter: 'misuse', label: 'Misuse', default: false, description: 'An invalid handle, a double destroy, a destroy while a deferred load is queued' },
  { filter: 'unreachable', label: 'Unreachable segments', default: false, description: 'A load hands the device a segment it cannot address' },
  { filter: 'stall', label: 'Stalled loads', default: false, description: 'The trace ends with a deferred load that can never complete' },
  { filter: 'expect', label: 'Failed expects', default: false, description: 'An expect statement fails' },
  { filter: 'panic', label: 'Kernel panics', default: false, description: 'A KASSERT of the INVARIANTS kernel fails (the trace always stops there)' },
];

export const FILTER_CONDITION_HELP =
  "An expression in the trace language; the event's fields are names: kind, zone, tag, map, from, to, pages, cause (e.g. zone == zone1, to == 0)";

interface FilterState {
  condition?: Parsed;
}

// ---- line breakpoints ----------------------------------------------------------------------------

export interface SourceBp {
  line: number;
  column?: number;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

export interface LineBreakpoint {
  id: number;
  requested: SourceBp;
  line: number;
  verified: boolean;
  message?: string;
  condition?: Parsed;
  hit?: HitTest;
  log?: LogPart[];
  /** Ticks (states) at which the condition held, ascending: hit numbers survive time travel. */
  hitTicks: number[];
}

// ---- data breakpoints ----------------------------------------------------------------------------

export const ZONE_COUNTERS = [
  'total_bpages', 'free_bpages', 'reserved_bpages', 'active_bpages', 'total_bounced', 'total_deferred',
  'map_count', 'refcount', 'tags',
];
export const TAG_COUNTERS = ['map_count'];
export const MAP_COUNTERS = ['pagesneeded', 'pagesreserved', 'bpages', 'state', 'cb_error', 'nsegs'];
export const GLOBAL_COUNTERS = ['total_bpages', 'zone_count', 'leaked_bpages', 'errno', 'cb_error'];

export type Reader = (r: TraceRunner) => string | undefined;

/** The value a dataId names now, as text (undefined while the object does not exist). */
export function dataReader(dataId: string): { read: Reader; label: string } | undefined {
  let m = /^zone:(zone\d+)\/(\w+)$/.exec(dataId);
  if (m && ZONE_COUNTERS.includes(m[2])) {
    const [, zname, f] = m;
    return {
      label: `${zname}.${f}`,
      read: (r) => {
        const z = r.zoneByName(zname);
        if (!z) return undefined;
        if (f === 'refcount' && z.refcount === null) return undefined;
        return show(zoneField(z, f, r.kernel));
      },
    };
  }
  m = /^(tag|map):([A-Za-z_]\w*(?:\[\d+\])?)\/(\w+)$/.exec(dataId);
  if (m && (m[1] === 'tag' ? TAG_COUNTERS : MAP_COUNTERS).includes(m[3])) {
    const [, kind, key, f] = m;
    return {
      label: `${key}.${f}`,
      read: (r) => {
        const o = r.object(key);
        if ('error' in o || o.kind !== kind) return undefined;
        return show(o.kind === 'tag' ? tagField(r.core, o.tag, f) : mapField(o.map, f));
      },
    };
  }
  m = /^global\/(\w+)$/.exec(dataId);
  if (m && GLOBAL_COUNTERS.includes(m[1])) {
    const f = m[1];
    return {
      label: f === 'total_bpages' || f === 'zone_count' ? `global.${f}` : f,
      read: (r) => {
        switch (f) {
          case 'total_bpages': return String(r.core.state.total_bpages);
          case 'zone_count': return String(r.core.state.busdma_zonecount);
          case 'leaked_bpages': return String(r.core.leakedBpages());
          case 'errno': return String(r.st.errno);
          default: return String(r.st.cb_error);
        }
      },
    };
  }
  return undefined;
}

function show(v: Value): string {
  return typeof v === 'string' ? v : v.toString();
}

/** A dataId for an expression such as `zone0.total_bpages`, `rx.map_count`, `global.total_bpages`. */
export function dataIdForExpression(text: string): string | undefined {
  const t = text.trim();
  let m = /^(zone\d+)\.(\w+)$/.exec(t);
  if (m) return ZONE_COUNTERS.includes(m[2]) ? `zone:${m[1]}/${m[2]}` : undefined;
  m = /^global\.(\w+)$/.exec(t);
  if (m) return GLOBAL_COUNTERS.includes(m[1]) ? `global/${m[1]}` : undefined;
  m = /^(leaked_bpages|errno|cb_error)$/.exec(t);
  if (m) return `global/${m[1]}`;
  m = /^hw\.busdma\.(?:(zone\d+)\.)?(\w+)$/.exec(t);
  if (m) return m[1] ? (ZONE_COUNTERS.includes(m[2]) ? `zone:${m[1]}/${m[2]}` : undefined) : (m[2] === 'total_bpages' ? 'global/total_bpages' : undefined);
  return undefined;
}

export interface DataBreakpoint {
  id: number;
  dataId: string;
  label: string;
  read?: Reader;
  verified: boolean;
  message?: string;
  condition?: Parsed;
  hit?: HitTest;
  hits: number;
  last?: string;
}

// ---- the manager ---------------------------------------------------------------------------------

export function samePath(a: string, b: string): boolean {
  const na = path.resolve(a);
  const nb = path.resolve(b);
  return process.platform === 'win32' || process.platform === 'darwin' ? na.toLowerCase() === nb.toLowerCase() : na === nb;
}

export class Breakpoints {
  private nextId = 1;
  private program?: Program;
  private stmtLines: number[] = [];
  /** Source breakpoints as the client sent them, by path (also for files not being debugged). */
  private requested = new Map<string, SourceBp[]>();
  /** The last resolution of each source's breakpoints (ids stay stable across re-resolution). */
  private resolved = new Map<string, LineBreakpoint[]>();
  /** Line → breakpoints there, for the program only. */
  byLine = new Map<number, LineBreakpoint[]>();
  /** Lines with a breakpoint that can stop (not only logpoints). */
  stopLines = new Set<number>();
  filters = new Map<string, FilterState>();
  data: DataBreakpoint[] = [];

  constructor() {
    for (const f of EXCEPTION_FILTERS) if (f.default) this.filters.set(f.filter, {});
  }

  /** A new program (launch, restart): every line breakpoint is resolved again. */
  setProgram(p: Program): LineBreakpoint[] {
    this.program = p;
    this.stmtLines = [...p.lines.keys()].sort((a, b) => a - b);
    const changed: LineBreakpoint[] = [];
    for (const [file, bps] of this.requested) {
      if (samePath(file, p.file)) changed.push(...this.resolve(file, bps, true));
    }
    return changed;
  }

  /** setBreakpoints for one source: replaces that source's breakpoints. */
  setLineBreakpoints(file: string, bps: SourceBp[]): LineBreakpoint[] {
    this.requested.set(file, bps);
    return this.resolve(file, bps, false);
  }

  private resolve(file: string, bps: SourceBp[], keepIds: boolean): LineBreakpoint[] {
    const p = this.program;
    const isProgram = p !== undefined && samePath(file, p.file);
    const old = keepIds ? (this.resolved.get(file) ?? []) : [];
    const out = bps.map((b, i) => {
      const bp: LineBreakpoint = {
        id: keepIds && old[i] ? old[i].id : this.nextId++, requested: b, line: b.line, verified: false, hitTicks: [],
      };
      if (!p) {
        bp.message = 'the trace is not loaded yet';
        return bp;
      }
      if (!isProgram) {
        bp.message = `not the trace being debugged (${path.basename(p.file)})`;
        return bp;
      }
      const line = this.stmtLines.find((l) => l >= b.line);
      if (line === undefined) {
        bp.message = 'no statement on or after this line';
        return bp;
      }
      bp.line = line;
      bp.verified = true;
      if (b.condition && b.condition.trim()) {
        bp.condition = compile(b.condition);
        if (!bp.condition.ok) { bp.verified = false; bp.message = `condition: ${bp.condition.message}`; }
      }
      if (b.hitCondition && b.hitCondition.trim()) {
        const h = compileHitCondition(b.hitCondition);
        if (h.ok) bp.hit = h.test;
        else { bp.verified = false; bp.message = h.message; }
      }
      if (b.logMessage) bp.log = compileLogMessage(b.logMessage);
      return bp;
    });
    this.resolved.set(file, out);
    if (isProgram) {
      this.byLine.clear();
      this.stopLines.clear();
      for (const bp of out) {
        if (!bp.verified) continue;
        const l = this.byLine.get(bp.line);
        if (l) l.push(bp); else this.byLine.set(bp.line, [bp]);
        if (!bp.log) this.stopLines.add(bp.line);
      }
    }
    return out;
  }

  /** The statement a line breakpoint stops before. */
  statementAt(line: number): Stmt | undefined {
    return this.program?.lines.get(line);
  }

  // ---- exception filters ---------------------------------------------------------------------

  /** setExceptionBreakpoints: `filters` and `filterOptions` add together. Returns one status each. */
  setFilters(filters: string[], options: { filterId: string; condition?: string }[]): { verified: boolean; message?: string }[] {
    this.filters.clear();
    const status: { verified: boolean; message?: string }[] = [];
    for (const f of filters) {
      const known = EXCEPTION_FILTERS.some((x) => x.filter === f);
      if (known) this.filters.set(f, {});
      status.push(known ? { verified: true } : { verified: false, message: `unknown filter '${f}'` });
    }
    for (const o of options) {
      if (!EXCEPTION_FILTERS.some((x) => x.filter === o.filterId)) {
        status.push({ verified: false, message: `unknown filter '${o.filterId}'` });
        continue;
      }
      const st: FilterState = {};
      if (o.condition && o.condition.trim()) st.condition = compile(o.condition);
      this.filters.set(o.filterId, st);
      status.push(st.condition && !st.condition.ok ? { verified: false, message: st.condition.message } : { verified: true });
    }
    return status;
  }

  /** Does this event stop the run? `problem` receives a condition that could not be evaluated. */
  eventStops(ev: TraceEvent, r: TraceRunner, problem?: (msg: string) => void): boolean {
    const f = this.filters.get(ev.kind);
    if (!f) return false;
    if (!f.condition) return true;
    if (!f.condition.ok) return false;
    try {
      return truthy(r.eval(f.condition.expr, eventNames(ev)));
    } catch (e) {
      problem?.(`${ev.kind} filter condition '${f.condition.text}': ${errorMessage(e)}`);
      return false;
    }
  }

  // ---- data breakpoints ------------------------------------------------------------------------

  setDataBreakpoints(bps: { dataId: string; condition?: string; hitCondition?: string }[], r?: TraceRunner): DataBreakpoint[] {
    this.data = bps.map((b) => {
      const rd = dataReader(b.dataId);
      const d: DataBreakpoint = { id: this.nextId++, dataId: b.dataId, label: rd?.label ?? b.dataId, read: rd?.read, verified: !!rd, hits: 0 };
      if (!rd) d.message = `'${b.dataId}' is not a counter busdma-trace can watch`;
      if (b.condition && b.condition.trim()) {
        d.condition = compile(b.condition);
        if (!d.condition.ok) { d.verified = false; d.message = `condition: ${d.condition.message}`; }
      }
      if (b.hitCondition && b.hitCondition.trim()) {
        const h = compileHitCondition(b.hitCondition);
        if (h.ok) d.hit = h.test;
        else { d.verified = false; d.message = h.message; }
      }
      if (r && d.read) d.last = d.read(r);
      return d;
    });
    return this.data;
  }

  /** Take the current values as the base of comparison (after any jump in time). */
  baseline(r: TraceRunner): void {
    for (const d of this.data) if (d.read) d.last = d.read(r);
  }
}

/** The event's fields as names for a filter condition. */
export function eventNames(ev: TraceEvent): Record<string, Value> {
  const n: Record<string, Value> = {
    kind: ev.kind, zone: ev.zone ?? '', tag: ev.tag ?? '', map: ev.map ?? '', cause: ev.cause ?? '',
  };
  if (ev.from !== undefined) n.from = BigInt(ev.from);
  if (ev.to !== undefined) n.to = BigInt(ev.to);
  if (ev.pages !== undefined) n.pages = BigInt(ev.pages);
  return n;
}

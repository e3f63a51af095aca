// The run report: the JSON of trace-language.md section 7, and the readable text the CLI
// prints without --json.

import type { TraceRunner, TraceEvent } from './runner';
import type { Diagnostic } from './ast';
import { formatDiagnostic } from './parser';

export const FAILING_KINDS = new Set(['leak', 'misuse', 'unreachable', 'stall', 'panic', 'expect']);

export interface ZoneReport {
  name: string;
  lowaddr: string;
  alignment: number | string;
  refcount: number | null;
  destroyed: boolean;
  total_bpages: number;
  free_bpages: number;
  reserved_bpages: number;
  active_bpages: number;
  total_bounced: number;
  total_deferred: number;
  map_count: number;
  tags: number;
}

/** An event as the JSON report shows it: the trace event without the debugger's bookkeeping. */
export type EventReport = Omit<TraceEvent, 'tick' | 'loops' | 'line' | 'column'> & { line: number; column: number };

export interface RunReport {
  file: string;
  kernel: string;
  maxmem: string;
  steps: number;
  zones: ZoneReport[];
  global: { total_bpages: number };
  leaked_bpages: number;
  events: EventReport[];
  event_counts: Record<string, number>;
  errnos: Record<string, number>;
  panic: { line: number; message: string } | null;
  expects: { passed: number; failed: number };
  output: string[];
  error: { line: number; column: number; message: string } | null;
  exit: number;
}

export function eventReport(e: TraceEvent): EventReport {
  const r: EventReport = { kind: e.kind, line: e.line, column: e.column, step: e.step, message: e.message };
  if (e.cause) r.cause = e.cause;
  if (e.zone !== undefined) r.zone = e.zone;
  if (e.tag !== undefined) r.tag = e.tag;
  if (e.map !== undefined) r.map = e.map;
  if (e.from !== undefined) r.from = e.from;
  if (e.to !== undefined) r.to = e.to;
  if (e.pages !== undefined) r.pages = e.pages;
  return r;
}

export function exitStatus(r: TraceRunner): number {
  if (r.st.fatal) return 2;
  if (r.st.panic) return 1;
  for (const [k, n] of Object.entries(r.st.eventCounts)) {
    if (n > 0 && FAILING_KINDS.has(k)) return 1;
  }
  return 0;
}

export function buildReport(r: TraceRunner): RunReport {
  const s = r.core.state;
  const zones: ZoneReport[] = s.zones.map((z) => ({
    name: z.name,
    lowaddr: '0x' + z.lowaddr.toString(16),
    alignment: z.alignment <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(z.alignment) : '0x' + z.alignment.toString(16),
    refcount: z.refcount,
    destroyed: z.destroyed,
    total_bpages: z.total_bpages,
    free_bpages: z.free_bpages,
    reserved_bpages: z.reserved_bpages,
    active_bpages: z.active_bpages,
    total_bounced: z.total_bounced,
    total_deferred: z.total_deferred,
    map_count: z.map_count,
    tags: z.tags,
  }));
  const f = r.st.fatal;
  return {
    file: r.program.file,
    kernel: r.kernel,
    maxmem: sizeText(r.maxmem),
    steps: r.st.steps,
    zones,
    global: { total_bpages: s.total_bpages },
    leaked_bpages: r.core.leakedBpages(),
    events: r.events.map(eventReport),
    event_counts: { ...r.st.eventCounts },
    errnos: { ...r.st.errnos },
    panic: r.st.panic,
    expects: { ...r.st.expects },
    output: r.output.map((o) => o.text),
    error: f ? { line: f.line, column: f.col, message: f.message } : null,
    exit: exitStatus(r),
  };
}

export function sizeText(bytes: bigint): string {
  for (const [s, m] of [['T', 40n], ['G', 30n], ['M', 20n], ['K', 10n]] as const) {
    if (bytes >= 1n << m && bytes % (1n << m) === 0n) return `${bytes >> m}${s}`;
  }
  return bytes.toString();
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

/** The readable report: zones table, events with their lines, and the leak summary. */
export function textReport(rep: RunReport): string {
  const out: string[] = [];
  out.push(`${rep.file}: kernel ${rep.kernel}, maxmem ${rep.maxmem}, ${rep.steps} step${rep.steps === 1 ? '' : 's'}`);
  out.push('');
  if (rep.zones.length === 0) {
    out.push('no bounce zones (no tag ever needed to bounce)');
  } else {
    const head = ['zone', 'lowaddr', 'align', 'refcnt', 'tags', 'total', 'free', 'rsvd', 'active', 'bounced', 'deferred', 'maps', ''];
    const rows = rep.zones.map((z) => [
      z.name, z.lowaddr, String(z.alignment), z.refcount === null ? '-' : String(z.refcount), String(z.tags),
      String(z.total_bpages), String(z.free_bpages), String(z.reserved_bpages), String(z.active_bpages),
      String(z.total_bounced), String(z.total_deferred), String(z.map_count), z.destroyed ? '(destroyed)' : '',
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const fmt = (r: string[]) => r.map((c, i) => pad(c, widths[i], i >= 2 && i <= 11)).join('  ').trimEnd();
    out.push(fmt(head));
    for (const r of rows) out.push(fmt(r));
  }
  out.push(`hw.busdma.total_bpages: ${rep.global.total_bpages}`);
  out.push('');
  const shown = rep.events.filter((e) => e.kind !== 'refcount' || rep.events.length <= 200);
  if (rep.events.length) {
    out.push('events:');
    const perKind: Record<string, number> = {};
    for (const e of shown) {
      perKind[e.kind] = (perKind[e.kind] ?? 0) + 1;
      if (perKind[e.kind] > 20) continue;
      out.push(`  ${rep.file}:${e.line}:${e.column}: ${e.kind}: ${e.message}`);
    }
    for (const [k, n] of Object.entries(rep.event_counts)) {
      const listed = Math.min(perKind[k] ?? 0, 20);
      if (n > listed) out.push(`  ... and ${n - listed} more ${k} event${n - listed === 1 ? '' : 's'}`);
    }
    out.push('');
  }
  if (rep.panic) out.push(`panic at line ${rep.panic.line}: ${rep.panic.message} (zones show the state before it)`);
  if (rep.error) out.push(`${rep.file}:${rep.error.line}:${rep.error.column}: error: ${rep.error.message}`);
  const errnos = Object.entries(rep.errnos).map(([k, v]) => `${k}=${v}`).join(' ') || 'none';
  out.push(`leaked_bpages: ${rep.leaked_bpages}   expects: ${rep.expects.passed} passed, ${rep.expects.failed} failed   errnos: ${errnos}`);
  const failing = Object.entries(rep.event_counts).filter(([k, n]) => n > 0 && FAILING_KINDS.has(k)).map(([k, n]) => `${n} ${k}`);
  out.push(rep.exit === 0 ? 'result: OK' : rep.exit === 1 ? `result: FAIL (${failing.join(', ') || 'panic'})` : 'result: ERROR');
  return out.join('\n') + '\n';
}

export function diagnosticsText(file: string, diags: Diagnostic[]): string {
  return diags.map((d) => formatDiagnostic(file, d)).join('\n') + (diags.length ? '\n' : '');
}

// The data a timeline chart is drawn from: per-zone page counters after every step of one
// run of a trace under one kernel. Produced by the trace runner (src/trace), consumed by the
// renderer (one renderer for the VS Code panel and the CLI's SVG).

/** Counters of one zone, one entry per step (index i = state after step i+1). -1 = the zone
 * does not exist at that step (not yet created, or destroyed by destroy_bounce_zone). */
export interface ZoneSeries {
  name: string;            // "zone0", as the kernel's sysctl names it
  lowaddr: string;         // hex, e.g. "0xffffffff"
  total: Int32Array;       // total_bpages
  free: Int32Array;        // free_bpages
  reserved: Int32Array;    // reserved_bpages
  active: Int32Array;      // active_bpages
}

export interface TimelineEvent {
  step: number;            // 1-based step that raised it
  kind: string;            // leak | refcount | error | misuse | unreachable | stall | expect | panic
  line: number;            // 1-based trace line
  message: string;
  zone?: string;
}

export interface Timeline {
  kernel: string;          // legacy | d47521 | d48182 | r291142
  file: string;            // trace path as given
  steps: number;           // number of steps recorded; every Int32Array has this length
  lines: Int32Array;       // trace line of each step
  global: Int32Array;      // global total_bpages after each step
  zones: ZoneSeries[];     // in creation order
  events: TimelineEvent[];
}

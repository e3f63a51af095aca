// Hand-made timelines (no simulator involved), for tests and documentation pictures: the same
// driver under `legacy`, whose zone0 keeps growing past its 8192-page cap (a leak per map
// create over the cap), and under `d48182`, whose zone0 saturates at 8192. A second zone
// (zone1, 24-bit) lives from step `steps/8` and, under d48182, is destroyed at step `3*steps/4`
// (absent afterwards), with refcount events; legacy never destroys it. Pure: no I/O.

import type { Timeline, TimelineEvent, ZoneSeries } from './types';

export interface SyntheticOptions {
  steps?: number;          // default 400
  perStep?: number;        // pages added to zone0 per step, default 48
  cap?: number;            // default 8192
  file?: string;
}

function zone(name: string, lowaddr: string, n: number): ZoneSeries {
  return { name, lowaddr, total: new Int32Array(n), free: new Int32Array(n), reserved: new Int32Array(n), active: new Int32Array(n) };
}

export function syntheticTimeline(kernel: 'legacy' | 'd48182', opts: SyntheticOptions = {}): Timeline {
  const n = opts.steps ?? 400;
  const per = opts.perStep ?? 48;
  const cap = opts.cap ?? 8192;
  const file = opts.file ?? 'test-fixtures/synthetic-churn.busdma';
  const z0 = zone('zone0', '0xffffffff', n);
  const z1 = zone('zone1', '0xffffff', n);
  const global = new Int32Array(n);
  const lines = new Int32Array(n);
  const events: TimelineEvent[] = [];
  const born = Math.floor(n / 8);
  const dies = Math.floor((3 * n) / 4);
  let leaks = 0;
  for (let i = 0; i < n; i++) {
    const step = i + 1;
    lines[i] = 10 + (i % 6);
    let total = per * step;
    if (kernel === 'd48182' && total > cap) total = cap;
    if (kernel === 'legacy' && total > cap && leaks < 1000) {
      leaks++;
      events.push({ step, kind: 'leak', line: lines[i], message: `map create allocated ${per} pages over the cap of zone0 (${total - per} >= ${cap})`, zone: 'zone0' });
    }
    const active = Math.min(total, (step * 37) % 700);
    const reserved = Math.min(total - active, (step * 13) % 50);
    z0.total[i] = total;
    z0.active[i] = active;
    z0.reserved[i] = reserved;
    z0.free[i] = total - active - reserved;
    if (i < born || (kernel === 'd48182' && i >= dies)) {
      z1.total[i] = z1.free[i] = z1.reserved[i] = z1.active[i] = -1;
    } else {
      const t1 = Math.min(256, 16 * (i - born + 1));
      const a1 = (step % 3) * 4;
      z1.total[i] = t1; z1.active[i] = a1; z1.reserved[i] = 0; z1.free[i] = t1 - a1;
    }
    global[i] = z0.total[i] + (kernel === 'd48182' && i >= dies ? 0 : Math.max(0, z1.total[i]));
  }
  if (kernel === 'd48182') {
    events.push({ step: dies, kind: 'refcount', line: lines[dies - 1], message: 'zone1 refcount 2 -> 1 (tag isa destroyed)', zone: 'zone1' });
    events.push({ step: dies + 1, kind: 'refcount', line: lines[dies], message: 'zone1 refcount 1 -> 0: zone destroyed', zone: 'zone1' });
  } else {
    events.push({ step: dies + 1, kind: 'leak', line: lines[dies], message: 'orphaned zone: zone1 keeps 256 pages with no live tag', zone: 'zone1' });
    events.push({ step: n, kind: 'stall', line: lines[n - 1], message: 'deferred load of map rx[3] can never complete', zone: 'zone0' });
  }
  events.push({ step: Math.floor(n / 2), kind: 'misuse', line: lines[Math.floor(n / 2) - 1], message: 'bus_dmamap_destroy(rx, m9): m9 was already destroyed' });
  events.sort((a, b) => a.step - b.step);
  return { kernel, file, steps: n, lines, global, zones: [z0, z1], events };
}

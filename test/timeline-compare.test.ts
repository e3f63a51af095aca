import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeDivergence, finalTable, firstDivergence, renderTableText } from '../src/timeline/compare';
import { syntheticTimeline } from '../src/timeline/synthetic';
import type { Timeline, ZoneSeries } from '../src/timeline/types';

const I = (xs: number[]) => Int32Array.from(xs);

/** A zone whose free = total - 1 (or -1 where absent), reserved 0, active 1. */
function zone(name: string, total: number[], over: Partial<Record<'free' | 'reserved' | 'active', number[]>> = {}): ZoneSeries {
  return {
    name, lowaddr: '0xffffffff',
    total: I(total),
    free: I(over.free ?? total.map((v) => (v < 0 ? -1 : Math.max(0, v - 1)))),
    reserved: I(over.reserved ?? total.map((v) => (v < 0 ? -1 : 0))),
    active: I(over.active ?? total.map((v) => (v < 0 ? -1 : Math.min(1, v)))),
  };
}

function run(kernel: string, zones: ZoneSeries[], global?: number[]): Timeline {
  const steps = zones[0]?.total.length ?? global!.length;
  const g = global ?? Array.from({ length: steps }, (_, i) => zones.reduce((s, z) => s + Math.max(0, z.total[i]), 0));
  return { kernel, file: 'hand.busdma', steps, lines: I(Array.from({ length: steps }, (_, i) => 20 + 2 * i)), global: I(g), zones, events: [] };
}

test('identical runs do not diverge; one run never diverges', () => {
  const a = run('legacy', [zone('zone0', [1, 2, 3, 4])]);
  const b = run('d48182', [zone('zone0', [1, 2, 3, 4])]);
  assert.equal(firstDivergence([a, b]), null);
  assert.equal(firstDivergence([a]), null);
  assert.equal(firstDivergence([]), null);
});

test('the first differing counter: step is 1-based, index 0-based, with the line of that step', () => {
  const a = run('legacy', [zone('zone0', [1, 2, 3, 4, 5, 6, 7], { free: [0, 1, 2, 3, 4, 5, 6] })]);
  const b = run('d48182', [zone('zone0', [1, 2, 3, 4, 5, 6, 7], { free: [0, 1, 2, 3, 4, 9, 9] })]);
  const d = firstDivergence([a, b])!;
  assert.equal(d.step, 6);
  assert.equal(d.index, 5);
  assert.equal(d.line, 30);
  assert.equal(d.zone, 'zone0');
  assert.equal(d.field, 'free');
  assert.deepEqual(d.values, [{ kernel: 'legacy', value: 5 }, { kernel: 'd48182', value: 9 }]);
  assert.equal(describeDivergence(d), 'step 6 (line 30): zone0.free_bpages legacy=5 d48182=9');
});

test('the earliest divergence wins across zones and fields; ties go to the zone, then the field order', () => {
  // zone0 differs in total at index 4; zone1 differs in active at index 2
  const a = run('legacy', [zone('zone0', [1, 1, 1, 1, 2, 2]), zone('zone1', [3, 3, 3, 3, 3, 3], { active: [0, 0, 0, 0, 0, 0] })]);
  const b = run('d47521', [zone('zone0', [1, 1, 1, 1, 5, 5]), zone('zone1', [3, 3, 3, 3, 3, 3], { active: [0, 0, 2, 0, 0, 0] })]);
  let d = firstDivergence([a, b])!;
  assert.deepEqual([d.step, d.zone, d.field], [3, 'zone1', 'active']);
  // total and free of zone0 and the global total all differ at index 1: zone0.total is reported
  const c = run('legacy', [zone('zone0', [1, 1, 1])]);
  const e = run('d48182', [zone('zone0', [1, 2, 2])]);
  d = firstDivergence([c, e])!;
  assert.deepEqual([d.step, d.zone, d.field], [2, 'zone0', 'total']);
});

test('a zone present in one run and absent in the other counts (matched by name)', () => {
  // zone1 exists from step 3 in legacy only
  const a = run('legacy', [zone('zone0', [1, 1, 1, 1]), zone('zone1', [-1, -1, 4, 4])], [1, 1, 1, 1]);
  const b = run('d48182', [zone('zone0', [1, 1, 1, 1])], [1, 1, 1, 1]);
  let d = firstDivergence([a, b])!;
  assert.deepEqual([d.step, d.zone, d.field], [3, 'zone1', 'total']);
  assert.deepEqual(d.values, [{ kernel: 'legacy', value: 4 }, { kernel: 'd48182', value: null }]);
  assert.match(describeDivergence(d), /d48182=absent/);
  // destroyed (absent from step 4) in d47521, kept in legacy; zones listed in a different order
  const c = run('legacy', [zone('zone0', [2, 2, 2, 2, 2]), zone('zone1', [8, 8, 8, 8, 8])]);
  const e = run('d47521', [zone('zone1', [8, 8, 8, -1, -1]), zone('zone0', [2, 2, 2, 2, 2])], [10, 10, 10, 2, 2]);
  d = firstDivergence([c, e])!;
  assert.deepEqual([d.step, d.zone, d.field, d.values[1].value], [4, 'zone1', 'total', null]);
  // both absent at the same steps is no divergence
  const f = run('legacy', [zone('zone0', [-1, 3, -1])], [0, 3, 0]);
  const g = run('d48182', [zone('zone0', [-1, 3, -1])], [0, 3, 0]);
  assert.equal(firstDivergence([f, g]), null);
});

test('the global total alone can diverge', () => {
  const a = run('legacy', [zone('zone0', [1, 2, 3])], [1, 2, 3]);
  const b = run('d48182', [zone('zone0', [1, 2, 3])], [1, 2, 7]);
  const d = firstDivergence([a, b])!;
  assert.deepEqual([d.step, d.zone, d.field], [3, 'global', 'total']);
  assert.equal(describeDivergence(d), 'step 3 (line 24): global.total_bpages legacy=3 d48182=7');
});

test('runs of different lengths that agree on their common steps diverge where the shorter ends', () => {
  const a = run('legacy', [zone('zone0', [1, 2, 3, 4, 5])]);
  const b = run('d47521', [zone('zone0', [1, 2, 3])]);    // e.g. a panic at step 4
  const d = firstDivergence([a, b])!;
  assert.equal(d.step, 4);
  assert.equal(d.field, 'steps');
  assert.equal(d.zone, undefined);
  assert.deepEqual(d.values, [{ kernel: 'legacy', value: 5 }, { kernel: 'd47521', value: null }]);
  // a counter divergence inside the common part wins
  const c = run('d47521', [zone('zone0', [1, 9, 3])]);
  assert.equal(firstDivergence([a, c])!.step, 2);
});

test('three kernels: the earliest pair decides', () => {
  const a = run('legacy', [zone('zone0', [1, 2, 3, 4, 5, 6])]);
  const b = run('d47521', [zone('zone0', [1, 2, 3, 4, 0, 0])]);
  const c = run('d48182', [zone('zone0', [1, 2, 0, 0, 0, 0])]);
  const d = firstDivergence([a, b, c])!;
  assert.equal(d.step, 3);
  assert.deepEqual(d.values.map((v) => v.value), [3, 3, 0]);
});

test('legacy vs d48182 (climbing vs saturating at 8192): the divergence is the first step over the cap', () => {
  const a = syntheticTimeline('legacy', { steps: 400, perStep: 48 });
  const b = syntheticTimeline('d48182', { steps: 400, perStep: 48 });
  const d = firstDivergence([a, b])!;
  // 48 * 171 = 8208 > 8192 >= 48 * 170
  assert.equal(d.step, 171);
  assert.deepEqual([d.zone, d.field], ['zone0', 'total']);
  assert.deepEqual(d.values, [{ kernel: 'legacy', value: 8208 }, { kernel: 'd48182', value: 8192 }]);
});

test('final table: zone x field rows, kernel columns, absent as "-", differing rows marked', () => {
  const a = run('legacy', [zone('zone0', [1, 2, 3]), zone('zone1', [-1, 5, 5])]);
  a.events.push({ step: 2, kind: 'leak', line: 22, message: 'over cap' });
  const b = run('d48182', [zone('zone0', [1, 2, 2]), zone('zone1', [-1, 5, -1])]);
  const t = finalTable([a, b]);
  assert.deepEqual(t.kernels, ['legacy', 'd48182']);
  const byLabel = new Map(t.rows.map((r) => [r.label, r]));
  assert.deepEqual(byLabel.get('zone0.total_bpages')!.values, [3, 2]);
  assert.equal(byLabel.get('zone0.total_bpages')!.differs, true);
  assert.deepEqual(byLabel.get('zone0.reserved_bpages')!.values, [0, 0]);
  assert.equal(byLabel.get('zone0.reserved_bpages')!.differs, false);
  assert.deepEqual(byLabel.get('zone1.total_bpages')!.values, [5, null]);
  assert.deepEqual(byLabel.get('global.total_bpages')!.values, [8, 2]);
  assert.deepEqual(byLabel.get('steps')!.values, [3, 3]);
  assert.deepEqual(byLabel.get('leak events')!.values, [1, 0]);
  assert.equal(byLabel.has('misuse events'), false);
  assert.equal(t.divergence!.step, 3);
  const text = renderTableText(t);
  const lines = text.split('\n');
  assert.match(lines[0], /^\s+counter\s+legacy\s+d48182$/);
  assert.ok(lines.some((l) => /^\*\s+zone0\.total_bpages\s+3\s+2$/.test(l)), text);
  assert.ok(lines.some((l) => /^\s+zone0\.reserved_bpages\s+0\s+0$/.test(l)), text);
  assert.ok(lines.some((l) => /^\*\s+zone1\.total_bpages\s+5\s+-$/.test(l)), text);
  assert.match(text, /first divergence: step 3 \(line 24\): zone0\.total_bpages legacy=3 d48182=2\n$/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ABSENT, columnCount, columnOf, columnStart, downsample } from '../src/timeline/downsample';
import { makeWindow, windowColumnOf } from '../src/timeline/window';
import { renderSvg } from '../src/timeline/svg';
import type { Timeline } from '../src/timeline/types';

test('min, max, first and last per column', () => {
  const s = Int32Array.from([1, 5, 2, 8, 3, 3]);
  const d = downsample(s, 0, 6, 3);
  assert.equal(d.columns, 3);
  assert.deepEqual(Array.from(d.min), [1, 2, 3]);
  assert.deepEqual(Array.from(d.max), [5, 8, 3]);
  assert.deepEqual(Array.from(d.first), [1, 2, 3]);
  assert.deepEqual(Array.from(d.last), [5, 8, 3]);
});

test('never more columns than steps; a sub-range is honoured', () => {
  const s = Int32Array.from([9, 1, 2, 3, 4, 9]);
  const d = downsample(s, 1, 5, 100);
  assert.equal(d.columns, 4);
  assert.deepEqual(Array.from(d.max), [1, 2, 3, 4]);
  assert.equal(columnCount(0, 0, 10), 0);
  assert.equal(downsample(s, 3, 3, 10).columns, 0);
  // out-of-range requests are clamped
  const c = downsample(s, -5, 50, 2);
  assert.equal(c.from, 0);
  assert.equal(c.to, 6);
  assert.deepEqual(Array.from(c.max), [9, 9]);
});

test('a one-step spike among 1,000,000 steps stays visible (max), and so does a one-step dip (min)', () => {
  const n = 1_000_000;
  const s = new Int32Array(n).fill(100);
  s[654_321] = 8192;   // spike
  s[123_457] = 0;      // dip
  const d = downsample(s, 0, n, 1000);
  assert.equal(d.columns, 1000);
  const spikeCol = columnOf(0, n, 1000, 654_321);
  const dipCol = columnOf(0, n, 1000, 123_457);
  assert.equal(d.max[spikeCol], 8192);
  assert.equal(d.min[dipCol], 0);
  assert.equal(Math.max(...d.max), 8192);
  assert.equal(Math.min(...d.min), 0);
  // every other column is flat
  for (let c = 0; c < d.columns; c++) {
    if (c === spikeCol || c === dipCol) continue;
    assert.equal(d.min[c], 100);
    assert.equal(d.max[c], 100);
  }
});

test('a spike survives into the rendered chart: the path reaches its height', () => {
  const n = 1_000_000;
  const series = () => new Int32Array(n).fill(10);
  const total = series();
  total[777_777] = 5000;
  const t: Timeline = {
    kernel: 'd48182', file: 'spike.busdma', steps: n, lines: new Int32Array(n).fill(3), global: total,
    zones: [{ name: 'zone0', lowaddr: '0xffffffff', total, free: series(), reserved: new Int32Array(n), active: new Int32Array(n) }],
    events: [],
  };
  const svg = renderSvg([t], { width: 800, height: 300, zonesHidden: ['global'] });
  const path = svg.match(/<path class="bt-s[^"]*" data-kernel="d48182" data-zone="zone0" data-field="total"[^>]*>/)![0];
  assert.match(path, /data-max="5000"/);
  assert.match(path, /data-min="10"/);
  const y0 = Number(svg.match(/data-y0="([\d.]+)"/)![1]);
  const yMax = Number(svg.match(/data-ymax="(\d+)"/)![1]);
  const y1 = Number(svg.match(/data-y1="([\d.]+)"/)![1]);
  const ySpike = Math.round((y1 - (5000 / yMax) * (y1 - y0)) * 10) / 10;
  const ys = [...path.matchAll(/[ML][\d.]+,([\d.]+)/g)].map((m) => Number(m[1]));
  assert.ok(ys.includes(ySpike), `path should reach y=${ySpike}`);
  // and the path stays small: at most 4 points per pixel column
  assert.ok(ys.length <= 4 * 800, `${ys.length} points`);
});

test('absent values: a column is absent only if every value in it is absent', () => {
  const s = Int32Array.from([-1, -1, -1, 4, 7, -1, 2, -1]);
  const d = downsample(s, 0, 8, 4);
  assert.deepEqual(Array.from(d.min), [ABSENT, 4, 7, 2]);
  assert.deepEqual(Array.from(d.max), [ABSENT, 4, 7, 2]);
  assert.deepEqual(Array.from(d.first), [ABSENT, -1, 7, 2]);
  assert.deepEqual(Array.from(d.last), [ABSENT, 4, -1, -1]);
  const whole = downsample(s, 0, 8, 1);
  assert.equal(whole.min[0], 2);
  assert.equal(whole.max[0], 7);
});

test('columnOf agrees with columnStart for all indices', () => {
  for (const [from, to, n] of [[0, 10, 3], [5, 1005, 7], [0, 999_983, 1000], [3, 4, 1], [0, 17, 17], [2, 50, 48]]) {
    const cols = columnCount(from, to, n);
    for (let c = 0; c < cols; c++) {
      const s = columnStart(from, to, cols, c), e = columnStart(from, to, cols, c + 1);
      assert.ok(e > s, 'columns are never empty');
      for (const i of [s, e - 1, (s + e) >> 1]) assert.equal(columnOf(from, to, cols, i), c, `${from} ${to} ${n} i=${i}`);
    }
  }
});

test('windows: 1-based inclusive steps, column starts and lines', () => {
  const n = 10;
  const z = (k: number) => Int32Array.from({ length: n }, (_, i) => i * k);
  const t: Timeline = {
    kernel: 'legacy', file: 'x.busdma', steps: n, lines: Int32Array.from({ length: n }, (_, i) => 100 + i), global: z(1),
    zones: [{ name: 'zone0', lowaddr: '0xffffffff', total: z(1), free: z(2), reserved: z(0), active: z(3) }],
    events: [
      { step: 3, kind: 'leak', line: 102, message: 'a' }, { step: 4, kind: 'leak', line: 103, message: 'b' },
      { step: 9, kind: 'misuse', line: 108, message: 'c' }, { step: 99, kind: 'stall', line: 109, message: 'end' },
    ],
  };
  const w = makeWindow(t, { from: 3, to: 8, columns: 3 });
  assert.equal(w.fromStep, 3);
  assert.equal(w.toStep, 8);
  assert.deepEqual(w.starts, [3, 5, 7, 9]);
  assert.deepEqual(w.lines, [103, 105, 107]);
  assert.deepEqual(w.zones[0].total.max, [3, 5, 7]);
  assert.deepEqual(w.zones[0].total.min, [2, 4, 6]);
  // the two leaks fall in one column: one marker with count 2; the misuse (step 9) and the stall
  // (clamped to step 10) are outside
  assert.deepEqual(w.markers.map((m) => [m.kind, m.column, m.count, m.step]), [['leak', 0, 2, 3]]);
  assert.equal(windowColumnOf(w, 6), 1);
  assert.equal(windowColumnOf(w, 9), -1);
  const all = makeWindow(t, { columns: 100 });
  assert.equal(all.columns, 10);
  assert.deepEqual(all.markers.map((m) => [m.kind, m.step]), [['leak', 3], ['leak', 4], ['misuse', 9], ['stall', 10]]);
});

// Per-pixel-column downsampling of a counter series.
//
// A chart of 1,000,000 steps drawn into ~1,000 pixel columns must not hide a one-step spike:
// every column keeps the minimum and the maximum of the values it covers (plus the first and
// the last, so that the line drawn through the columns enters and leaves each one at the right
// height). Pure: no I/O, no DOM, no `vscode`.
//
// Indices here are 0-based array indices into a series (index i = the state after step i+1),
// and ranges are half-open: [from, to).

/** The value a series holds at a step where its zone does not exist. */
export const ABSENT = -1;

export interface Downsampled {
  from: number;          // first index covered (inclusive)
  to: number;            // last index covered (exclusive)
  columns: number;       // number of columns actually produced: min(requested, to - from)
  /** min over the present values of each column, ABSENT when every value in it is absent */
  min: Int32Array;
  /** max over the present values of each column, ABSENT when every value in it is absent */
  max: Int32Array;
  /** the value at the first index of each column (may be ABSENT) */
  first: Int32Array;
  /** the value at the last index of each column (may be ABSENT): "the counter at that step" */
  last: Int32Array;
}

/** Number of columns a range [from, to) is cut into when `requested` columns are asked for:
 * never more columns than steps, so that every column covers at least one index. */
export function columnCount(from: number, to: number, requested: number): number {
  const len = Math.max(0, to - from);
  const n = Math.max(0, Math.floor(requested));
  return Math.min(len, n);
}

/** First index of column c (c may equal `columns`, giving `to`). Columns differ in width by at
 * most one index; the split is the same for every series, so columns line up across series. */
export function columnStart(from: number, to: number, columns: number, c: number): number {
  if (columns <= 0) return from;
  return from + Math.floor((c * (to - from)) / columns);
}

/** The column that holds index i, for i in [from, to). */
export function columnOf(from: number, to: number, columns: number, i: number): number {
  const len = to - from;
  if (columns <= 0 || len <= 0) return 0;
  // the largest c with columnStart(c) <= i
  let c = Math.floor(((i - from + 1) * columns) / len);
  if (c >= columns) c = columns - 1;
  while (c > 0 && columnStart(from, to, columns, c) > i) c--;
  while (c + 1 < columns && columnStart(from, to, columns, c + 1) <= i) c++;
  return c;
}

/** Clamps a half-open range to [0, length). */
export function clampRange(length: number, from = 0, to = length): [number, number] {
  const f = Math.max(0, Math.min(length, Math.floor(from)));
  const t = Math.max(f, Math.min(length, Math.floor(to)));
  return [f, t];
}

/**
 * Downsamples `series` over [from, to) into at most `columns` columns (min, max, first, last).
 * A column is ABSENT (min = max = -1) only if every value in it is ABSENT; otherwise min and
 * max are taken over its present values only.
 */
export function downsample(series: ArrayLike<number>, from: number, to: number, columns: number): Downsampled {
  [from, to] = clampRange(series.length, from, to);
  const n = columnCount(from, to, columns);
  const min = new Int32Array(n);
  const max = new Int32Array(n);
  const first = new Int32Array(n);
  const last = new Int32Array(n);
  for (let c = 0; c < n; c++) {
    const s = columnStart(from, to, n, c);
    const e = columnStart(from, to, n, c + 1);
    let lo = 0x7fffffff;
    let hi = -1;
    for (let i = s; i < e; i++) {
      const v = series[i];
      if (v < 0) continue;          // absent
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (hi < 0) { min[c] = ABSENT; max[c] = ABSENT; } else { min[c] = lo; max[c] = hi; }
    first[c] = series[s] < 0 ? ABSENT : series[s];
    last[c] = series[e - 1] < 0 ? ABSENT : series[e - 1];
  }
  return { from, to, columns: n, min, max, first, last };
}

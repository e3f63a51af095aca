// The benchmark's rows and their statistics, and the README's copy of the latest full run: `npm run bench` writes
// it between the README's markers, and test/bench-smoke.test.ts holds the two equal. No side
// effects here, so that a test can import it without running the benchmark.

export interface Row {
  case: string;
  size: number;
  unit: string;
  median: number;
  min: number;
  max: number;
  target?: string;
  ok?: boolean;
  note?: string;
}

/** Median, min and max of the figures of one case's runs. */
export function stats(xs: number[]): { median: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
}

export function fmt(x: number): string {
  if (x >= 1e6) return (x / 1e6).toFixed(2) + 'M';
  if (x >= 1e4) return Math.round(x).toLocaleString('en-US');
  return x.toFixed(x < 10 ? 2 : 1);
}

export interface Results {
  date: string;
  machine: string;
  quick: boolean;
  rows: Row[];
}

/**
 * What the README shows between its bench markers: the latest full run's date, machine and
 * table. `npm run bench` writes it there; test/bench-smoke.test.ts holds it equal to
 * bench/results.json.
 */
export function readmeFigures(r: Results): string {
  const lines = [
    `Latest figures, ${r.date.slice(0, 16).replace('T', ' ')} UTC, on ${r.machine}:`,
    '',
    '| case | size | median | min | max | unit | target | |',
    '| --- | ---: | ---: | ---: | ---: | --- | --- | --- |',
  ];
  for (const x of r.rows) {
    lines.push(`| ${x.case} | ${x.size.toLocaleString('en-US')} | ${fmt(x.median)} | ${fmt(x.min)} | ${fmt(x.max)} | ${x.unit} | ${x.target ?? ''} | ${x.ok === undefined ? '' : x.ok ? 'ok' : '**missed**'} |`);
  }
  return lines.join('\n');
}

export const README_BEGIN = '<!-- bench:begin (written by npm run bench) -->';
export const README_END = '<!-- bench:end -->';

/** README text with the figures between the markers replaced (unchanged if they are absent). */
export function withFigures(readme: string, r: Results): string {
  const a = readme.indexOf(README_BEGIN);
  const b = readme.indexOf(README_END);
  if (a < 0 || b < a) return readme;
  return `${readme.slice(0, a + README_BEGIN.length)}\n${readmeFigures(r)}\n${readme.slice(b)}`;
}

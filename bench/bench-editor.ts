// Benchmark case of the editor: diagnostics (parser errors and warnings plus the lints) for a
// 100,000-line trace, the work the language service does after an edit.

import { clearAnalysisCache, diagnosticsFor } from '../src/editor/analysis';
import { mixedTrace } from './gen';
import type { Row } from './bench';

export async function benchEditor({ quick }: { quick: boolean }): Promise<Row[]> {
  const lines = 100_000;
  const text = mixedTrace(lines, 5);
  const runs = quick ? 2 : 7;
  const xs: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    clearAnalysisCache(); // the service caches by text; an edit changes the text
    const t0 = performance.now();
    const d = diagnosticsFor(text, 'bench.busdma');
    const dt = performance.now() - t0;
    if (!Array.isArray(d)) throw new Error('no diagnostics array');
    if (i > 0) xs.push(dt);
  }
  xs.sort((a, b) => a - b);
  const median = xs[Math.floor(xs.length / 2)];
  return [{ case: 'diagnostics, whole file', size: lines, unit: 'ms', median, min: xs[0], max: xs[xs.length - 1], target: '< 150 ms', ok: median < 150 }];
}

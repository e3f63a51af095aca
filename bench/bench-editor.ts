// Benchmark case of the editor: diagnostics (parser errors and warnings plus the lints) for a
// 100,000-line trace after an edit, as the extension gets them: the text handed to the
// language-service worker thread (dist/editorWorker.js), parsed and linted there, and the
// packed diagnostics unpacked on the extension's side. Measured from the request to the
// unpacked list; the worker has its own heap, as in VS Code. Where no worker bundle exists
// (no build), the same service runs in process and the note says so.

import { existsSync } from 'node:fs';
import { ServiceClient } from '../src/editor/serviceClient';
import { unpackDiagnostics, type PackedResult } from '../src/editor/service';
import { mixedTrace } from './gen';
import { stats, type Row } from './readme';

const WORKER = 'dist/editorWorker.js';

export async function benchEditor({ quick }: { quick: boolean }): Promise<Row[]> {
  const lines = 100_000;
  const text = mixedTrace(lines, 5);
  const runs = quick ? 2 : 9;
  // A fresh worker compiles as it goes: the first analyses (the file just opened) are slower
  // than those while typing. Three warm-up runs, the first reported in the note as `cold`.
  const warm = quick ? 1 : 3;
  let cold = 0;
  const client = new ServiceClient(existsSync(WORKER) ? WORKER : undefined);
  const mode = client.mode;
  const xs: number[] = [];
  try {
    for (let i = 0; i < runs + warm; i++) {
      // A new version of the text each time: the service caches analyses by text.
      const v = i + 1;
      const edited = text.replace('maxsize: 4K', `maxsize: ${4 + v}K`);
      client.update('bench', v, edited, 'bench.busdma');
      const t0 = performance.now();
      const r = (await client.request({ op: 'diagnostics-packed', uri: 'bench', version: v })) as PackedResult | null;
      const d = r ? unpackDiagnostics(r.packed) : undefined;
      const dt = performance.now() - t0;
      if (!d || d.length === 0) throw new Error('no diagnostics');
      if (i === 0) cold = dt;
      if (i >= warm) xs.push(dt);
    }
  } finally {
    client.dispose();
  }
  const r = stats(xs);
  return [{
    case: 'diagnostics, whole file', size: lines, unit: 'ms', ...r, target: '< 150 ms', ok: r.median < 150,
    note: `${mode === 'worker' ? 'through the worker: request to unpacked list' : 'in process (no dist/editorWorker.js)'}; cold ${cold.toFixed(0)} ms`,
  }];
}

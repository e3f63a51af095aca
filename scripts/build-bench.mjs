// Bundles the benchmark into out/bench/bench.js.
import * as esbuild from 'esbuild';
await esbuild.build({
  entryPoints: ['bench/bench.ts'],
  outfile: 'out/bench/bench.js',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  logLevel: 'warning',
});

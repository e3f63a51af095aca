// Bundles the CLI, the standalone debug adapter and the extension with esbuild.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const prod = process.argv.includes('--production');
const entries = [
  { in: 'src/cli.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node' },
  { in: 'src/debugAdapter.ts', out: 'dist/debugAdapter.js' },
  { in: 'src/extension.ts', out: 'dist/extension.js' },
  { in: 'src/editor/worker.ts', out: 'dist/editorWorker.js' },
].filter((e) => existsSync(e.in));

await Promise.all(entries.map((e) => esbuild.build({
  entryPoints: [e.in],
  outfile: e.out,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  external: ['vscode'],
  minify: prod,
  sourcemap: prod ? false : 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  banner: e.banner ? { js: e.banner } : undefined,
})));

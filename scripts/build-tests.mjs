// Bundles every test/**/*.test.ts into out/test/ so that node's own test runner runs them.
import * as esbuild from 'esbuild';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

function walk(dir) {
  const out = [];
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (f.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

rmSync('out/test', { recursive: true, force: true });
const entries = walk('test');
await esbuild.build({
  entryPoints: entries,
  outdir: 'out/test',
  outbase: 'test',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  external: ['vscode', 'playwright-core', 'fast-check', '@vscode/debugadapter-testsupport'],
  logLevel: 'warning',
});

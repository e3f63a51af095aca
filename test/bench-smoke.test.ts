// A smoke run of the benchmark (`npm run bench -- --quick`, the smallest sizes): it must run to
// the end and print every case. It checks that the benchmark works, never how fast anything is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { README_BEGIN, README_END, readmeFigures, type Results } from '../bench/readme';

test('the benchmark runs in its quick mode and prints every case', () => {
  const build = spawnSync(process.execPath, ['scripts/build-bench.mjs'], { encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
  const p = spawnSync(process.execPath, ['out/bench/bench.js', '--quick'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(p.status, 0, p.stderr);
  for (const c of [
    'parse', 'core calls', 'busdma-trace run (process)', 'step back from the end', 'reverse continue 90% back',
    'peak memory, debug session', 'launch to stopped on entry (DAP)', 'one step round trip (DAP)',
    'zone with 8,192 pages: first page of children', 'diagnostics, whole file', 'extension bundle',
  ]) {
    assert.match(p.stdout, new RegExp(`^${c.replace(/[()]/g, '\\$&')}\\s+[\\d,]+\\s+[\\d.,]+M?\\s`, 'm'), c);
  }
});

test('the README shows the figures of bench/results.json, the latest full run', () => {
  const results = JSON.parse(readFileSync('bench/results.json', 'utf8')) as Results;
  assert.equal(results.quick, false, 'results.json holds a full run');
  const readme = readFileSync('README.md', 'utf8');
  const a = readme.indexOf(README_BEGIN);
  const b = readme.indexOf(README_END);
  assert.ok(a >= 0 && b > a, 'the README has the bench markers');
  // npm run bench writes both; a README edited by hand, or a results.json left by a run whose
  // figures were not kept, fails here.
  assert.equal(readme.slice(a + README_BEGIN.length, b).trim(), readmeFigures(results));
});

// Every fixture under every kernel against its expected report, derived by hand in the
// fixture's comments. Only the fields the expectation names are compared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../src/trace/parser';
import { TraceRunner } from '../src/trace/runner';
import { buildReport } from '../src/trace/report';
import { isKernelId } from '../src/core/kernels';

const DIR = 'test-fixtures';

function pick(actual: any, expected: any): any {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return actual;
    return actual.map((a: any, i: number) => (i < expected.length ? pick(a, expected[i]) : a));
  }
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object') return actual;
    const out: any = {};
    for (const k of Object.keys(expected)) out[k] = pick(actual[k], expected[k]);
    return out;
  }
  return actual;
}

const files = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.busdma')) : [];

for (const f of files) {
  const expPath = join(DIR, f.replace(/\.busdma$/, '.expected.json'));
  if (!existsSync(expPath)) continue;
  const expected = JSON.parse(readFileSync(expPath, 'utf8'));
  for (const [kernel, exp] of Object.entries<any>(expected)) {
    if (!isKernelId(kernel)) continue;
    test(`${f} under ${kernel}`, () => {
      const { program, diagnostics } = parse(readFileSync(join(DIR, f), 'utf8'), join(DIR, f));
      assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
      const r = new TraceRunner(program, { kernel, fullInvariants: true });
      r.runToEnd();
      const rep: any = buildReport(r);
      rep.events = rep.events.map((e: any) => ({ kind: e.kind, line: e.line, message: e.message }));
      const cmp = { ...exp };
      const act = pick(rep, cmp);
      assert.deepEqual(act, cmp);
    });
  }
}

test('every fixture has an expectation for all four kernels', () => {
  for (const f of files) {
    const expPath = join(DIR, f.replace(/\.busdma$/, '.expected.json'));
    assert.ok(existsSync(expPath), `${f} has no .expected.json`);
    const exp = JSON.parse(readFileSync(expPath, 'utf8'));
    assert.deepEqual(Object.keys(exp).filter(isKernelId).sort(), ['d47521', 'd48182', 'legacy', 'r291142'], f);
  }
});

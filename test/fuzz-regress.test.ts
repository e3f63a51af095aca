// Fuzzing in npm test: every regression file the long run saved (test-fixtures/fuzz/), and a
// quick seeded run of the same checks (scripts/fuzz.mjs runs them for minutes: npm run fuzz).
// A regression file whose header says `# fuzz-status: open` is a reported, unfixed bug: it runs
// as a todo (shown, not failing) until the line is deleted; a quick-run failure with the same
// signature as an open file is a todo too, any other one fails.
import { test } from 'node:test';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from './adapter-root';
import { checkCli, checkDeterministic, checkMutant, checkRegression, checkTrace, mutate, readRegressions, signatureOf, KERNELS, type Mutation } from './fuzz-lib';
import { hostileTraceArb, validTraceArb } from './fuzz-gen';

const DIR = path.join(ROOT, 'test-fixtures', 'fuzz');
const regressions = readRegressions(DIR);
const openSignatures = new Set(regressions.filter((r) => r.open && r.signature).map((r) => r.signature!));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'busdma-fuzz-test-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

test('fuzz regressions: test-fixtures/fuzz/ may be empty or missing', () => {
  // Nothing to check by itself: each file below is its own test.
});

for (const r of regressions) {
  const name = path.relative(ROOT, r.file);
  test(`fuzz regression ${name}`, { todo: r.open ? 'open: reported, not fixed yet (see its header)' : undefined }, () => {
    checkRegression(r, tmp, 10_000);
  });
}

/** fc.check with a seed; a failure with the signature of an open regression is a todo. */
function quick<T>(t: import('node:test').TestContext, arb: fc.Arbitrary<T>, prop: (v: T) => void, seed: number, numRuns: number): void {
  const res = fc.check(fc.property(arb, prop), { seed, numRuns });
  if (!res.failed) return;
  const sig = signatureOf(res.errorInstance);
  if (openSignatures.has(sig)) {
    t.diagnostic(`known open failure (test-fixtures/fuzz): ${sig}`);
    t.todo(`known open failure: ${sig}`);
    return;
  }
  throw new Error(`quick fuzz (seed ${seed}) failed: ${sig}\ncounterexample: ${JSON.stringify(res.counterexample).slice(0, 4000)}\n${(res.errorInstance as Error)?.stack ?? ''}\nrun npm run fuzz -- --seed ${seed} to save it under test-fixtures/fuzz/`);
}

test('quick fuzz: generated traces through parser and runner, invariants after every step, same JSON twice', (t) => {
  quick(t, validTraceArb, (c) => {
    const r = checkTrace(c.text, c.kernel, c.maxSteps, { requireValid: true });
    checkDeterministic(c.text, c.kernel, c.maxSteps, r);
  }, 4752101, 120);
});

test('quick fuzz: damaged traces (JavaScript names, huge numbers, deep nesting, stray braces) never crash', (t) => {
  quick(t, hostileTraceArb, (c) => { checkTrace(c.text, c.kernel, c.maxSteps); }, 4848182, 150);
});

test('quick fuzz: byte and line mutations of every fixture', (t) => {
  const files = fs.readdirSync(path.join(ROOT, 'test-fixtures')).filter((f) => f.endsWith('.busdma'));
  const bytes = files.map((f) => fs.readFileSync(path.join(ROOT, 'test-fixtures', f)));
  const arb = fc.record({
    f: fc.nat(files.length - 1), kernel: fc.constantFrom(...KERNELS),
    muts: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete', 'dupline', 'dropline', 'swaplines')), { minLength: 1, maxLength: 8 }) as fc.Arbitrary<Mutation[]>,
  });
  quick(t, arb, (m) => { checkMutant(mutate(bytes[m.f], m.muts), m.kernel, 5000); }, 291142, 120);
});

test('quick fuzz: a sample through the CLI (exit 0/1/2, JSON = in-process report, FILE:LINE:COL errors)', (t) => {
  const arb = fc.oneof(
    validTraceArb,
    hostileTraceArb,
  );
  quick(t, arb, (c) => { checkCli(c.text, c.kernel, c.maxSteps, tmp, 10_000); }, 47521, 6);
});

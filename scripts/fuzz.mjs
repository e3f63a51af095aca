// The long fuzz run (npm run fuzz): seeded, time-boxed, with progress and a final count.
//
//   npm run fuzz                                   # 10 minutes, seed from the clock (printed)
//   npm run fuzz -- --seconds 60 --seed 42         # or FUZZ_SECONDS / FUZZ_SEED
//   npm run fuzz -- --minutes 30 --no-cli          # skip the CLI sample
//
// Each round runs, with the round's own seed (seed + round):
//   valid    generated traces (test/fuzz-gen.ts) through parser + runner with the full
//            invariant walk, run twice (same JSON), every check of test/fuzz-lib.ts;
//   classic  the call-sequence generator of test/gen.ts, the same checks;
//   hostile  generated traces damaged at token and line level (any diagnostics allowed);
//   mutants  byte and line mutations of every test-fixtures/*.busdma through the parser (and
//            the runner when they still parse);
//   cli      a sample of generated, hostile and mutated inputs through `node dist/cli.js run
//            FILE --json --max-steps N`: exit 0/1/2 only, stdout = the in-process report,
//            errors as FILE:LINE:COL.
// A failure is shrunk by fast-check and saved as test-fixtures/fuzz/regress-<hash>.busdma with a
// comment header saying what failed (test/fuzz-regress.test.ts then runs it in npm test).
// Failures with the signature of one already saved (or already found in this run) are counted,
// not saved again. Exit status 1 when anything failed.

import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.chdir(ROOT);

function arg(name) {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : undefined;
}
const seconds = Number(arg('seconds') ?? (arg('minutes') !== undefined ? Number(arg('minutes')) * 60 : undefined) ?? process.env.FUZZ_SECONDS ?? 600);
const seed0 = Number(arg('seed') ?? process.env.FUZZ_SEED ?? (Date.now() % 2_147_483_647));
const withCli = !process.argv.includes('--no-cli');
const outDir = path.resolve(arg('out') ?? process.env.FUZZ_OUT ?? 'test-fixtures/fuzz');
if (!Number.isFinite(seconds) || seconds <= 0 || !Number.isSafeInteger(seed0)) {
  console.error('usage: node scripts/fuzz.mjs [--seconds N | --minutes N] [--seed N] [--no-cli] [--out DIR]');
  process.exit(2);
}

// Build the CLI and bundle the fuzz library (TypeScript) next to it.
execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
await esbuild.build({
  stdin: {
    contents: "export * from './test/fuzz-lib'; export * from './test/fuzz-gen'; export { traceArb } from './test/gen';",
    resolveDir: ROOT, sourcefile: 'fuzz-entry.ts', loader: 'ts',
  },
  outfile: 'out/fuzz/fuzz-lib.js', bundle: true, platform: 'node', format: 'cjs', target: 'node20',
  external: ['fast-check', 'vscode'], sourcemap: 'inline', logLevel: 'warning',
});
const lib = require(path.join(ROOT, 'out/fuzz/fuzz-lib.js'));
const fc = require('fast-check');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'busdma-fuzz-'));
const fixtures = fs.readdirSync('test-fixtures').filter((f) => f.endsWith('.busdma')).map((f) => ({ name: f, bytes: fs.readFileSync(path.join('test-fixtures', f)) }));
const known = new Set(lib.readRegressions(outDir).map((r) => r.signature).filter(Boolean));

const counts = { valid: 0, classic: 0, hostile: 0, mutants: 0, cli: 0 };
const failures = [];
const knownHits = new Map();
const kernelArb = fc.constantFrom(...lib.KERNELS);
const mutationArb = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'set', 'insert', 'insert', 'delete', 'dupline', 'dropline', 'swaplines')), { minLength: 1, maxLength: 10 });
const mutantArb = fc.record({ f: fc.nat(fixtures.length - 1), muts: mutationArb, kernel: kernelArb });
const mutantBytes = (m) => lib.mutate(fixtures[m.f].bytes, m.muts);

/** The targets: name, arbitrary, property, runs per round, how to save a counterexample. */
const targets = [
  {
    name: 'valid', runs: 150, arb: lib.validTraceArb,
    prop: (c) => { const r = lib.checkTrace(c.text, c.kernel, c.maxSteps, { requireValid: true }); lib.checkDeterministic(c.text, c.kernel, c.maxSteps, r); },
    save: (c) => ({ body: Buffer.from(c.text), kernel: c.kernel, maxSteps: c.maxSteps, valid: true }),
  },
  {
    name: 'classic', runs: 100, arb: fc.record({ t: lib.traceArb, maxSteps: fc.constantFrom(100, 5000) }),
    prop: (c) => { lib.checkTrace(c.t.text, c.t.kernel, c.maxSteps, { requireValid: true }); },
    save: (c) => ({ body: Buffer.from(c.t.text), kernel: c.t.kernel, maxSteps: c.maxSteps, valid: true }),
  },
  {
    name: 'hostile', runs: 150, arb: lib.hostileTraceArb,
    prop: (c) => { lib.checkTrace(c.text, c.kernel, c.maxSteps); },
    save: (c) => ({ body: Buffer.from(c.text), kernel: c.kernel, maxSteps: c.maxSteps, valid: false }),
  },
  {
    name: 'mutants', runs: 200, arb: mutantArb,
    prop: (m) => { lib.checkMutant(mutantBytes(m), m.kernel, 20_000); },
    save: (m) => ({ body: mutantBytes(m), kernel: m.kernel, maxSteps: 20_000, valid: false }),
  },
];
if (withCli) {
  const cliArb = fc.oneof(
    lib.validTraceArb.map((c) => ({ bytes: Buffer.from(c.text), kernel: c.kernel, maxSteps: c.maxSteps, valid: true })),
    lib.hostileTraceArb.map((c) => ({ bytes: Buffer.from(c.text), kernel: c.kernel, maxSteps: c.maxSteps, valid: false })),
    mutantArb.map((m) => ({ bytes: mutantBytes(m), kernel: m.kernel, maxSteps: 20_000, valid: false })),
  );
  targets.push({
    name: 'cli', runs: 8, arb: cliArb, timeLimit: 180_000,
    prop: (c) => { lib.checkCli(c.bytes, c.kernel, c.maxSteps, tmp, 15_000); },
    save: (c) => ({ body: c.bytes, kernel: c.kernel, maxSteps: c.maxSteps, valid: c.valid }),
  });
}

/** Re-run a saved case (its body as bytes) the way its target checks it. */
function recheck(target, s, body) {
  if (target.name === 'cli') lib.checkCli(body, s.kernel, s.maxSteps, tmp, 15_000);
  else {
    const text = body.toString('utf8');
    const r = lib.checkTrace(text, s.kernel, s.maxSteps, { requireValid: s.valid });
    if (target.name === 'valid') lib.checkDeterministic(text, s.kernel, s.maxSteps, r);
  }
}

/** After fast-check's shrinking: drop lines (then halves, quarters...) while the same failure remains. */
function minimize(target, s, sig) {
  const t0 = Date.now();
  const same = (body) => {
    try { recheck(target, s, body); return false; } catch (e) { return lib.signatureOf(e) === sig; }
  };
  let lines = s.body.toString('latin1').split('\n');
  const join = (ls) => Buffer.from(ls.join('\n'), 'latin1');
  if (!same(join(lines))) return s.body;
  for (let chunk = Math.max(1, lines.length >> 1); chunk >= 1; chunk >>= 1) {
    for (let i = 0; i + chunk <= lines.length && Date.now() - t0 < 90_000;) {
      const cand = [...lines.slice(0, i), ...lines.slice(i + chunk)];
      if (cand.length && same(join(cand))) lines = cand; else i += chunk;
    }
  }
  return join(lines);
}

function record(target, seed, res) {
  const c = res.counterexample[0];
  const err = res.errorInstance;
  const sig = lib.signatureOf(err);
  const what = err instanceof Error ? err.message : String(err);
  const f = { target: target.name, seed, sig, what, file: undefined, stack: err?.detail ?? err?.stack };
  if (!known.has(sig)) {
    known.add(sig);
    const s = target.save(c);
    s.body = minimize(target, s, sig);
    const header = lib.regressionHeader({ what: `[${target.name}] ${what}`, signature: sig, kernel: s.kernel, maxSteps: s.maxSteps, valid: s.valid, seed, detail: f.stack });
    f.file = lib.saveRegression(outDir, header, s.body);
    console.log(`\nFAIL [${target.name}] seed ${seed}: ${what}\n  saved ${path.relative(ROOT, f.file)}\n${(f.stack ?? '').split('\n').slice(0, 8).map((l) => '  | ' + l).join('\n')}`);
  } else {
    console.log(`\nFAIL [${target.name}] seed ${seed} (known signature: ${sig})`);
  }
  failures.push(f);
}

const started = Date.now();
const deadline = started + seconds * 1000;
let lastProgress = started;
let round = 0;
console.log(`busdma fuzz: seed ${seed0}, ${seconds} s, targets ${targets.map((t) => t.name).join(', ')}, regressions in ${path.relative(ROOT, outDir)}`);
while (Date.now() < deadline) {
  const seed = (seed0 + round) % 2_147_483_647;
  for (const t of targets) {
    if (Date.now() >= deadline) break;
    // A failure already saved (same signature) is counted and the round goes on, so a frequent
    // known bug does not hide the others; a new one stops the round and is shrunk.
    const res = fc.check(fc.property(t.arb, (c) => {
      counts[t.name]++;
      try {
        t.prop(c);
      } catch (e) {
        const sig = lib.signatureOf(e);
        if (!known.has(sig)) throw e;
        knownHits.set(sig, (knownHits.get(sig) ?? 0) + 1);
      }
    }), { seed, numRuns: t.runs, interruptAfterTimeLimit: t.timeLimit ?? 600_000 });
    if (res.failed) record(t, seed, res);
    const now = Date.now();
    if (now - lastProgress > 15_000) {
      lastProgress = now;
      console.log(`[${Math.round((now - started) / 1000)} s] round ${round}: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}; failures ${failures.length}`);
    }
  }
  round++;
}
fs.rmSync(tmp, { recursive: true, force: true });
const total = Object.values(counts).reduce((a, b) => a + b, 0);
console.log(`\nbusdma fuzz: ${Math.round((Date.now() - started) / 1000)} s, seed ${seed0}, ${round} rounds, ${total} cases (${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}; counts include shrink attempts)`);
if (knownHits.size) {
  console.log('known failures hit again (already saved):');
  for (const [sig, n] of knownHits) console.log(`  ${n}x ${sig}`);
}
if (failures.length || knownHits.size) process.exitCode = 1;
if (failures.length) {
  const bySig = new Map();
  for (const f of failures) bySig.set(f.sig, [...(bySig.get(f.sig) ?? []), f]);
  console.log(`${failures.length} failing rounds, ${bySig.size} distinct failures:`);
  for (const [sig, fs2] of bySig) console.log(`  ${fs2.length}x ${sig}${fs2.find((f) => f.file) ? `  -> ${path.relative(ROOT, fs2.find((f) => f.file).file)}` : ''}`);
  process.exitCode = 1;
} else {
  console.log('no failures');
}

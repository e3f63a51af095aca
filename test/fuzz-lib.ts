// The checks of the fuzzer, shared by `npm run fuzz` (scripts/fuzz.mjs bundles this file), the
// quick seeded run and the regression files in test/fuzz-regress.test.ts:
//
//  - parser: never throws; every diagnostic points inside the file (a real line, a column
//    within it or just past its end);
//  - core: the run never throws (KernelPanic and trace errors are handled by the runner; an
//    InvariantError from the full invariant walk is a failure), every event and the trace error
//    point inside the file, the zone counters add up, the report is JSON;
//  - limits: the run ends within --max-steps (a bounded number of ticks, not only of steps),
//    and keeps at most 1,000 events of each kind while counting all;
//  - CLI: `node dist/cli.js run FILE --json --max-steps N` exits 0, 1 or 2 only; on 0 and 1 its
//    stdout is exactly the in-process report and stderr is empty; on 2 every stderr line is
//    FILE:LINE:COL: error: ..., inside the file; it never takes longer than a timeout.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from '../src/trace/parser';
import { TraceRunner, KEEP_PER_KIND } from '../src/trace/runner';
import { buildReport, type RunReport } from '../src/trace/report';
import type { Kernel } from './fuzz-gen';

export const KERNELS: Kernel[] = ['legacy', 'd47521', 'd48182', 'r291142'];

/** A check failed: `signature` groups failures of the same cause (numbers and paths masked). */
export class FuzzFailure extends Error {
  constructor(readonly stage: string, message: string, readonly detail?: string) {
    super(`${stage}: ${message}`);
    this.name = 'FuzzFailure';
  }
}

export function signatureOf(e: unknown): string {
  let msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  // A crash is the same bug whether the parser, the runner or the CLI showed it.
  const crash = /(?:threw|crashed:) (\w*Error: .*)$/m.exec(msg);
  if (crash) msg = `crash: ${crash[1]}`;
  return msg.split('\n')[0]
    .replace(/\/[^\s:'"]+/g, '<path>')
    .replace(/0x[0-9a-f]+/gi, 'N')
    .replace(/\d+/g, 'N')
    .slice(0, 160);
}

function lineLengths(text: string): number[] {
  return text.split('\n').map((l) => (l.endsWith('\r') ? l.length - 1 : l.length));
}

function inside(lens: number[], line: number, col: number | undefined, what: string): void {
  if (!(Number.isInteger(line) && line >= 1 && line <= lens.length)) throw new FuzzFailure('position', `${what} points at line ${line}, the file has ${lens.length}`);
  if (col === undefined) return;
  // A column may point just past the end of the line ("expected ')'"), never further.
  if (!(Number.isInteger(col) && col >= 1 && col <= lens[line - 1] + 2)) {
    throw new FuzzFailure('position', `${what} points at ${line}:${col}, the line has ${lens[line - 1]} characters`);
  }
}

/** Wraps anything thrown by product code, so a crash has stage and stack. */
function guard<T>(stage: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof FuzzFailure) throw e;
    const err = e as Error;
    const f2 = new FuzzFailure(stage, `threw ${err?.name ?? typeof e}: ${err?.message ?? String(e)}`, err?.stack);
    throw f2;
  }
}

export interface RunCheck {
  /** The parse had errors (the run was skipped). */
  errors: boolean;
  report?: RunReport;
  json?: string;
}

/**
 * Parse and run one trace in process with every check. `requireValid`: an error diagnostic is a
 * failure (the generator promised a valid trace).
 */
export function checkTrace(text: string, kernel: Kernel, maxSteps: number, o: { requireValid?: boolean; file?: string } = {}): RunCheck {
  const file = o.file ?? 'fuzz.busdma';
  const lens = lineLengths(text);
  const { program, diagnostics } = guard('parse', () => parse(text, file));
  for (const d of diagnostics) inside(lens, d.line, d.col, `diagnostic '${d.message}'`);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    if (o.requireValid) throw new FuzzFailure('generator', `a generated trace does not parse: ${errors[0].line}:${errors[0].col}: ${errors[0].message}`);
    return { errors: true };
  }
  const r = guard('runner', () => new TraceRunner(program, { kernel, maxSteps, fullInvariants: true }));
  // Ticks that are not steps (entering a repeat, the final thread run) are bounded by the
  // nesting: a run that is still going after this many ticks does not end within --max-steps.
  let depth = 0;
  const walk = (ss: typeof program.body, d: number) => { for (const s of ss) if (s.kind === 'repeat') { depth = Math.max(depth, d + 1); walk(s.body, d + 1); } };
  walk(program.body, 0);
  const tickCap = (maxSteps + 2) * (depth + 2) + 1000;
  let ticks = 0;
  guard('runner', () => {
    while (!r.done) {
      r.tick();
      if (++ticks > tickCap) {
        throw new FuzzFailure('limits', `the run does not end within --max-steps ${maxSteps}: ${ticks} ticks and still going (step ${r.st.steps}, line ${r.current()?.loc.line ?? 'end'})`);
      }
    }
  });
  const rep = guard('report', () => buildReport(r));
  const json = guard('report', () => JSON.stringify(rep, null, 2));
  if (rep.steps > maxSteps) throw new FuzzFailure('limits', `${rep.steps} steps run with --max-steps ${maxSteps}`);
  for (const e of rep.events) inside(lens, e.line, e.column, `${e.kind} event '${e.message}'`);
  if (rep.error) inside(lens, rep.error.line, rep.error.column, `trace error '${rep.error.message}'`);
  if (rep.panic) inside(lens, rep.panic.line, undefined, `panic '${rep.panic.message}'`);
  if (![0, 1, 2].includes(rep.exit)) throw new FuzzFailure('report', `exit ${rep.exit}`);
  if ((rep.exit === 2) !== (rep.error !== null)) throw new FuzzFailure('report', `exit ${rep.exit} with error ${JSON.stringify(rep.error)}`);
  const kept: Record<string, number> = {};
  for (const e of rep.events) kept[e.kind] = (kept[e.kind] ?? 0) + 1;
  for (const [k, n] of Object.entries(kept)) {
    if (n > KEEP_PER_KIND) throw new FuzzFailure('limits', `${n} ${k} events kept in full (at most ${KEEP_PER_KIND})`);
    if ((rep.event_counts[k] ?? 0) < n) throw new FuzzFailure('report', `event_counts.${k} = ${rep.event_counts[k]} < ${n} events listed`);
  }
  if (rep.leaked_bpages < 0) throw new FuzzFailure('report', `leaked_bpages ${rep.leaked_bpages}`);
  for (const z of rep.zones) {
    if (!z.destroyed && z.total_bpages !== z.free_bpages + z.reserved_bpages + z.active_bpages) {
      throw new FuzzFailure('invariant', `${z.name}: total ${z.total_bpages} != free ${z.free_bpages} + reserved ${z.reserved_bpages} + active ${z.active_bpages}`);
    }
  }
  const live = rep.zones.filter((z) => !z.destroyed).reduce((a, z) => a + z.total_bpages, 0);
  if (rep.global.total_bpages !== live) throw new FuzzFailure('invariant', `global total_bpages ${rep.global.total_bpages} != ${live} in live zones`);
  return { errors: false, report: rep, json };
}

/** The same trace twice gives the same JSON. */
export function checkDeterministic(text: string, kernel: Kernel, maxSteps: number, first: RunCheck): void {
  if (first.errors) return;
  const again = checkTrace(text, kernel, maxSteps);
  if (again.json !== first.json) throw new FuzzFailure('determinism', 'two runs of the same trace gave different JSON');
}

export const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');

function cliPath(): string {
  for (const p of [path.resolve('dist/cli.js'), CLI]) if (fs.existsSync(p)) return p;
  throw new Error('dist/cli.js is missing: run node scripts/build.mjs first');
}

/** Run the CLI on `bytes` (written to `dir`) and check what it says against the in-process run. */
export function checkCli(bytes: Buffer | string, kernel: Kernel, maxSteps: number, dir: string, timeoutMs = 20_000): { code: number } {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  const file = path.join(dir, `cli-${createHash('sha1').update(buf).digest('hex').slice(0, 12)}.busdma`);
  fs.writeFileSync(file, buf);
  try {
    const r = spawnSync(process.execPath, [cliPath(), 'run', file, '--json', '--max-steps', String(maxSteps), '--kernel', kernel], {
      encoding: 'utf8', timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024,
    });
    if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') throw new FuzzFailure('cli', `did not finish within ${timeoutMs / 1000} s`);
    if (r.signal) throw new FuzzFailure('cli', `killed by ${r.signal}`, r.stderr);
    const code = r.status ?? -1;
    if (![0, 1, 2].includes(code)) throw new FuzzFailure('cli', `exit status ${code}`, r.stderr);
    // A JavaScript exception escaped: name it by its message, not by where it was printed.
    const crash = /^(\w*(?:Error|Exception)\b.*)$/m.exec(r.stderr);
    if (crash && /\n\s+at /.test(r.stderr)) throw new FuzzFailure('cli', `exit ${code}, crashed: ${crash[1]}`, r.stderr);
    const text = buf.toString('utf8');
    const lens = lineLengths(text);
    if (code === 0 || code === 1) {
      if (r.stderr !== '') throw new FuzzFailure('cli', `exit ${code} with stderr: ${r.stderr.split('\n')[0]}`, r.stderr);
      let j: RunReport;
      try {
        j = JSON.parse(r.stdout);
      } catch {
        throw new FuzzFailure('cli', `exit ${code}: stdout is not JSON`, r.stdout.slice(0, 2000));
      }
      if (j.exit !== code) throw new FuzzFailure('cli', `exit ${code}, the JSON says ${j.exit}`);
      // The CLI agrees with the in-process run, byte for byte.
      const mine = checkTrace(text, kernel, maxSteps, { file });
      if (mine.json === undefined || mine.json + '\n' !== r.stdout) throw new FuzzFailure('cli', 'the CLI JSON differs from the in-process report');
    } else {
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      if (!lines.length) throw new FuzzFailure('cli', 'exit 2 with nothing on stderr');
      const prefix = `${file}:`;
      for (const l of lines) {
        if (!l.startsWith(prefix)) throw new FuzzFailure('cli', `stderr line not in FILE:LINE:COL form: ${l.slice(0, 200)}`, r.stderr);
        const m = /^(\d+):(\d+): error: \S/.exec(l.slice(prefix.length));
        if (!m) throw new FuzzFailure('cli', `stderr line not in FILE:LINE:COL: error: form: ${l.slice(0, 200)}`, r.stderr);
        inside(lens, Number(m[1]), Number(m[2]), `CLI error '${l.slice(prefix.length, prefix.length + 120)}'`);
      }
      if (r.stdout) {
        try { JSON.parse(r.stdout); } catch { throw new FuzzFailure('cli', 'exit 2: stdout is neither empty nor JSON', r.stdout.slice(0, 2000)); }
        // A run cut by a trace error (--max-steps, division by zero...) still reports; the same as in process.
        const mine = checkTrace(text, kernel, maxSteps, { file });
        if (mine.json === undefined || mine.json + '\n' !== r.stdout) throw new FuzzFailure('cli', 'exit 2: the CLI JSON differs from the in-process report');
      }
    }
    return { code };
  } finally {
    fs.rmSync(file, { force: true });
  }
}

// ---- byte mutations of fixtures -------------------------------------------------------------------------

export type Mutation = [pos: number, byte: number, how: 'set' | 'insert' | 'delete' | 'dupline' | 'dropline' | 'swaplines'];

export function mutate(src: Buffer, muts: Mutation[]): Buffer {
  const buf = [...src];
  for (const [pos, byte, how] of muts) {
    const i = buf.length ? pos % buf.length : 0;
    if (how === 'set') buf[i] = byte;
    else if (how === 'insert') buf.splice(i, 0, byte);
    else if (how === 'delete') buf.splice(i, 1);
    else {
      const text = Buffer.from(buf);
      const lines: Buffer[] = [];
      for (let s = 0; s <= text.length;) {
        const e = text.indexOf(10, s);
        lines.push(text.subarray(s, e < 0 ? text.length : e));
        if (e < 0) break;
        s = e + 1;
      }
      const li = pos % lines.length;
      if (how === 'dupline') lines.splice(li, 0, lines[li]);
      else if (how === 'dropline') lines.splice(li, 1);
      else { const lj = (pos + byte) % lines.length; [lines[li], lines[lj]] = [lines[lj], lines[li]]; }
      const joined: number[] = [];
      lines.forEach((l, k) => { if (k) joined.push(10); joined.push(...l); });
      buf.length = 0;
      buf.push(...joined);
    }
  }
  return Buffer.from(buf);
}

/** A mutated fixture through the parser (and the runner when it still parses). */
export function checkMutant(bytes: Buffer, kernel: Kernel, maxSteps = 20_000): RunCheck {
  return checkTrace(bytes.toString('utf8'), kernel, maxSteps);
}

// ---- regression files ------------------------------------------------------------------------------------

export interface Regression {
  file: string;
  bytes: Buffer;
  kernels: Kernel[];
  maxSteps: number;
  valid: boolean;
  /** `# fuzz-status: open`: a known, reported, unfixed failure (the test is a todo). */
  open: boolean;
  signature?: string;
}

export const HEADER_PREFIX = '# fuzz-';

export function regressionHeader(o: { what: string; signature: string; kernel: Kernel; maxSteps: number; valid: boolean; seed: number | string; detail?: string }): string {
  const lines = [
    `# fuzz-regression: found by npm run fuzz (seed ${o.seed}), shrunk by fast-check`,
    `# fuzz-failed: ${o.what.split('\n')[0].slice(0, 300)}`,
    `# fuzz-signature: ${o.signature}`,
    `# fuzz-kernel: ${o.kernel}`,
    `# fuzz-max-steps: ${o.maxSteps}`,
    `# fuzz-valid: ${o.valid ? 'yes (a generated trace: must parse without errors)' : 'no (any diagnostics allowed)'}`,
    '# fuzz-status: open (delete this line once the bug is fixed: the test then must pass)',
  ];
  for (const l of (o.detail ?? '').split('\n').slice(0, 12)) if (l.trim()) lines.push(`# fuzz-stack: ${l.trim().slice(0, 200)}`);
  lines.push('# (the trace under test starts here; these comment lines are part of it)');
  return lines.join('\n') + '\n';
}

export function saveRegression(dir: string, header: string, body: Buffer): string {
  fs.mkdirSync(dir, { recursive: true });
  const all = Buffer.concat([Buffer.from(header, 'utf8'), body]);
  const hash = createHash('sha1').update(body).digest('hex').slice(0, 10);
  const file = path.join(dir, `regress-${hash}.busdma`);
  fs.writeFileSync(file, all);
  return file;
}

export function readRegressions(dir: string): Regression[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.busdma')).sort().map((f) => {
    const file = path.join(dir, f);
    const bytes = fs.readFileSync(file);
    const head = bytes.toString('utf8').split('\n').filter((l) => l.startsWith(HEADER_PREFIX));
    const get = (k: string) => head.find((l) => l.startsWith(`${HEADER_PREFIX}${k}:`))?.slice(HEADER_PREFIX.length + k.length + 1).trim();
    const k = get('kernel');
    const ms = Number(get('max-steps'));
    return {
      file, bytes,
      kernels: k && (KERNELS as string[]).includes(k) ? [k as Kernel, ...KERNELS.filter((x) => x !== k)] : KERNELS,
      maxSteps: Number.isSafeInteger(ms) && ms > 0 ? ms : 20_000,
      valid: (get('valid') ?? '').startsWith('yes'),
      open: (get('status') ?? '').startsWith('open'),
      signature: get('signature'),
    };
  });
}

/** Everything a regression file must pass: in process under every kernel, and the CLI. */
export function checkRegression(r: Regression, tmp: string, cliTimeoutMs = 20_000): void {
  for (const k of r.kernels) {
    const res = checkTrace(r.bytes.toString('utf8'), k, r.maxSteps, { requireValid: r.valid });
    if (!res.errors) checkDeterministic(r.bytes.toString('utf8'), k, r.maxSteps, res);
  }
  checkCli(r.bytes, r.kernels[0], r.maxSteps, tmp, cliTimeoutMs);
}

export { assert };

// Properties over random traces (seeded, so a run is reproducible): the kernel's invariants hold
// after every step, nothing throws, every event points inside the file, and the run ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from '../src/trace/parser';
import { TraceRunner } from '../src/trace/runner';
import { buildReport } from '../src/trace/report';
import { traceArb } from './gen';

export function checkTrace(text: string, kernel: 'legacy' | 'd47521' | 'd48182' | 'r291142'): void {
  const { program, diagnostics } = parse(text, 'gen.busdma');
  const nlines = text.split('\n').length;
  for (const d of diagnostics) assert.ok(d.line >= 1 && d.line <= nlines && d.col >= 1, JSON.stringify(d));
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), [], text);
  const r = new TraceRunner(program, { kernel, fullInvariants: true, maxSteps: 5000 });
  r.runToEnd(); // throws InvariantError if the simulator breaks a kernel invariant
  const rep = buildReport(r);
  assert.ok(rep.steps <= 5000);
  for (const e of rep.events) assert.ok(e.line >= 1 && e.line <= nlines, JSON.stringify(e));
  assert.ok(rep.leaked_bpages >= 0);
  assert.ok(rep.zones.every((z) => z.destroyed || z.total_bpages === z.free_bpages + z.reserved_bpages + z.active_bpages));
  assert.equal(rep.global.total_bpages, rep.zones.filter((z) => !z.destroyed).reduce((a, z) => a + z.total_bpages, 0));
}

test('random call sequences keep every invariant under every kernel', () => {
  fc.assert(fc.property(traceArb, ({ text, kernel }) => checkTrace(text, kernel)), { seed: 278569, numRuns: 300 });
});

test('byte-level mutations of every fixture never crash the parser; diagnostics point inside the file', () => {
  const files = readdirSync('test-fixtures').filter((f) => f.endsWith('.busdma'));
  fc.assert(fc.property(
    fc.constantFrom(...files),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete')), { minLength: 1, maxLength: 8 }),
    (f, muts) => {
      const buf = [...readFileSync('test-fixtures/' + f)];
      for (const [pos, byte, how] of muts) {
        const i = buf.length ? pos % buf.length : 0;
        if (how === 'set') buf[i] = byte;
        else if (how === 'insert') buf.splice(i, 0, byte);
        else buf.splice(i, 1);
      }
      const text = Buffer.from(buf).toString('utf8');
      const { program, diagnostics } = parse(text, f);
      const nlines = text.split(/\r?\n/).length;
      for (const d of diagnostics) assert.ok(d.line >= 1 && d.line <= nlines && d.col >= 1, JSON.stringify(d));
      if (!diagnostics.some((d) => d.severity === 'error')) {
        const r = new TraceRunner(program, { fullInvariants: true, maxSteps: 20000 });
        r.runToEnd();
      }
    }), { seed: 48182, numRuns: 200 });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCompare, runPlot, type Recorder } from '../src/timeline/cliCommands';
import { syntheticTimeline } from '../src/timeline/synthetic';

function io() {
  const o = { out: '', err: '' };
  return { o, io: { out: (s: string) => { o.out += s; }, err: (s: string) => { o.err += s; } } };
}
const calls: (string | undefined)[] = [];
const fake: Recorder = (file, kernel) => {
  calls.push(kernel);
  if (file === 'bad.busdma') return { ok: false, status: 2, message: 'bad.busdma:3:7: error: unknown call' };
  const k = kernel === 'legacy' ? 'legacy' : 'd48182';
  const t = syntheticTimeline(k, { steps: 300, file });
  return { ok: true, timeline: { ...t, kernel: kernel ?? 'd48182' } };
};

test('compare: a table of final counters and the first divergence', () => {
  const { o, io: cio } = io();
  assert.equal(runCompare(['t.busdma', '--kernels', 'legacy,d48182'], cio, { record: fake }), 0);
  assert.equal(o.err, '');
  assert.match(o.out, /^t\.busdma: legacy vs d48182\n/);
  assert.match(o.out, /\*\s+zone0\.total_bpages\s+14400\s+8192\n/);
  assert.match(o.out, /first divergence: step 171 \(line 12\): zone0\.total_bpages legacy=8208 d48182=8192\n$/);
  const j = io();
  assert.equal(runCompare(['t.busdma', '--kernels=legacy,d48182', '--json'], j.io, { record: fake }), 0);
  const parsed = JSON.parse(j.o.out);
  assert.deepEqual(parsed.kernels, ['legacy', 'd48182']);
  assert.equal(parsed.divergence.step, 171);
  assert.deepEqual(parsed.rows[0], { counter: 'zone0.total_bpages', values: [14400, 8192], differs: true });
});

test('compare: usage errors exit 2', () => {
  for (const args of [[], ['t.busdma'], ['t.busdma', '--kernels', 'legacy'], ['t.busdma', '--kernels', 'legacy,bogus'],
    ['t.busdma', '--kernels', 'legacy,legacy'], ['t.busdma', '--kernels', 'legacy,d48182', '--frobnicate'], ['a', 'b', '--kernels', 'legacy,d48182']]) {
    const { o, io: cio } = io();
    assert.equal(runCompare(args, cio, { record: fake }), 2, args.join(' '));
    assert.match(o.err, /^busdma-trace: .+\nusage: busdma-trace compare/);
    assert.equal(o.out, '');
  }
  const { o, io: cio } = io();
  assert.equal(runCompare(['bad.busdma', '--kernels', 'legacy,d48182'], cio, { record: fake }), 2);
  assert.equal(o.err, 'bad.busdma:3:7: error: unknown call\n');
});

test('plot: writes a standalone SVG (one kernel by default, several with --kernels)', () => {
  const written = new Map<string, string>();
  const writeFile = (f: string, d: string) => { written.set(f, d); };
  calls.length = 0;
  let r = io();
  assert.equal(runPlot(['t.busdma', '--out', 'one.svg'], r.io, { record: fake, writeFile }), 0);
  assert.deepEqual(calls, [undefined]);   // the file's own kernel
  assert.match(r.o.out, /^one\.svg: d48182, 300 steps\n$/);
  const one = written.get('one.svg')!;
  assert.match(one, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* width="1000" height="440"/);
  assert.doesNotMatch(one, /class="bt-div"/);
  r = io();
  assert.equal(runPlot(['t.busdma', '--kernels', 'legacy,d48182', '--out=cmp.svg', '--width', '800', '--height', '300', '--from', '101', '--to', '250', '--hide-zones', 'zone1', '--title', 'churn <3'], r.io, { record: fake, writeFile }), 0);
  const cmp = written.get('cmp.svg')!;
  assert.match(cmp, /width="800" height="300"/);
  assert.match(cmp, /data-from="101" data-to="250"/);
  assert.match(cmp, /<g class="bt-div" data-step="171"/);
  assert.doesNotMatch(cmp, /data-zone="zone1"/);
  assert.match(cmp, /<title>churn &lt;3<\/title>/);
  r = io();
  assert.equal(runPlot(['t.busdma', '--out', '-'], r.io, { record: fake, writeFile }), 0);
  assert.match(r.o.out, /^<svg [\s\S]*<\/svg>\n$/);
});

test('plot: usage errors and write failures exit 2', () => {
  for (const args of [['t.busdma'], ['--out', 'x.svg'], ['t.busdma', '--out', 'x.svg', '--width', '10'], ['t.busdma', '--out', 'x.svg', '--from', '9', '--to', '3'],
    ['t.busdma', '--out', 'x.svg', '--kernels', 'nope'], ['t.busdma', '--out']]) {
    const { o, io: cio } = io();
    assert.equal(runPlot(args, cio, { record: fake }), 2, args.join(' '));
    assert.match(o.err, /usage: busdma-trace plot/);
  }
  const { o, io: cio } = io();
  const failing = () => { throw Object.assign(new Error('nope'), { code: 'EACCES' }); };
  assert.equal(runPlot(['t.busdma', '--out', '/root/x.svg'], cio, { record: fake, writeFile: failing }), 2);
  assert.match(o.err, /cannot write \/root\/x\.svg: EACCES/);
});

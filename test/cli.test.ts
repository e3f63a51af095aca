// The command line: exit statuses, JSON shape, readable report, and clear errors on bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const dir = mkdtempSync(join(tmpdir(), 'busdma-cli-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const CHURN = `kernel legacy
keep = bus_dma_tag_create(lowaddr: BUS_SPACE_MAXADDR_32BIT, maxsize: 32M, nsegments: 8192)
km = bus_dmamap_create(keep)
repeat 3 {
  t = bus_dma_tag_create(lowaddr: BUS_SPACE_MAXADDR_32BIT)
  m = bus_dmamap_create(t)
  bus_dmamap_destroy(t, m)
  bus_dma_tag_destroy(t)
}
`;

test('run --json: the report of trace-language.md section 7, exit 1 on a leak', () => {
  const f = file('churn.busdma', CHURN);
  const r = cli('run', f, '--json');
  assert.equal(r.code, 1, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.kernel, 'legacy');
  assert.equal(j.steps, 14);
  assert.deepEqual(j.zones[0], {
    name: 'zone0', lowaddr: '0xffffffff', alignment: 4096, refcount: null, destroyed: false,
    total_bpages: 8195, free_bpages: 8195, reserved_bpages: 0, active_bpages: 0, total_bounced: 0,
    total_deferred: 0, map_count: 1, tags: 1,
  });
  assert.deepEqual(j.global, { total_bpages: 8195 });
  assert.equal(j.leaked_bpages, 3);
  assert.deepEqual(j.events.map((e: any) => [e.kind, e.line]), [['leak', 6], ['leak', 6], ['leak', 6]]);
  assert.deepEqual(j.errnos, {});
  assert.equal(j.panic, null);
  assert.deepEqual(j.expects, { passed: 0, failed: 0 });
});

test('--kernel wins over the file; d48182 has no leak, exit 0', () => {
  const f = file('churn2.busdma', CHURN);
  const r = cli('run', f, '--kernel', 'd48182', '--json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.kernel, 'd48182');
  assert.equal(j.zones[0].total_bpages, 8192);
  assert.equal(j.zones[0].refcount, 1);
});

test('the readable report has the zones table, events with lines and the summary', () => {
  const f = file('churn3.busdma', CHURN);
  const r = cli('run', f);
  assert.equal(r.code, 1);
  assert.match(r.out, /zone0 +0xffffffff +4096 +- +1 +8195/);
  assert.match(r.out, new RegExp(`${f.replace(/[.\\/]/g, '\\$&')}:6:3: leak: zone0 over its cap`));
  assert.match(r.out, /leaked_bpages: 3/);
  assert.match(r.out, /result: FAIL \(3 leak\)/);
});

test('bad input: exit 2 with FILE:LINE:COL, never a stack trace', () => {
  const f = file('bad.busdma', 'x = bus_dma_tag_create(\nbus_dmamap_load(x)\n');
  const r = cli('run', f);
  assert.equal(r.code, 2);
  assert.match(r.err, /bad\.busdma:1:24: error: expected '\)' to close bus_dma_tag_create\(/);
  assert.doesNotMatch(r.err, /at .*\.js:\d+/);
  const c = cli('check', f);
  assert.equal(c.code, 2);
  const missing = cli('run', join(dir, 'nope.busdma'));
  assert.equal(missing.code, 2);
  assert.match(missing.err, /nope\.busdma:1:1: error: no such file/);
  assert.equal(cli('run', f, '--kernel', 'linux').code, 2);
  assert.equal(cli('run', f, '--frobnicate').code, 2);
  assert.equal(cli('frob').code, 2);
  assert.equal(cli('run').code, 2);
  assert.equal(cli('run', f, '--max-steps', 'many').code, 2);
  const bin = file('bin.busdma', 'a\u0000b');
  assert.match(cli('run', bin).err, /binary file/);
});

test('--max-steps cuts a huge repeat with a clear message', () => {
  const f = file('huge.busdma', 'repeat 10000000 {\n  t = bus_dma_tag_create()\n  bus_dma_tag_destroy(t)\n}\n');
  const r = cli('run', f, '--max-steps', '1000');
  assert.equal(r.code, 2);
  assert.match(r.err, /huge\.busdma:2:3: error: stopped after 1000 steps \(--max-steps\)/);
});

test('check: ok on a valid trace; runtime errors point at their line', () => {
  const f = file('ok.busdma', 'expect 1 == 1\n');
  const c = cli('check', f);
  assert.equal(c.code, 0);
  assert.match(c.out, /ok \(1 statements\)/);
  const z = file('div.busdma', 'repeat 2 as i {\n  print 10 / (1 - i)\n}\n');
  const r = cli('run', z);
  assert.equal(r.code, 2);
  assert.match(r.err, /div\.busdma:2:15: error: division by zero/);
});

test('sysctl output looks like FreeBSD sysctl hw.busdma', () => {
  const f = file('sys.busdma', `t = bus_dma_tag_create(lowaddr: BUS_SPACE_MAXADDR_32BIT)
m = bus_dmamap_create(t)
sysctl hw.busdma
sysctl hw.busdma.zone0.total_bpages
`);
  const r = cli('run', f, '--json');
  const j = JSON.parse(r.out);
  assert.deepEqual(j.output, [
    'hw.busdma.zone0.total_deferred_time: 0',
    'hw.busdma.zone0.domain: 0',
    'hw.busdma.zone0.alignment: 4096',
    'hw.busdma.zone0.lowaddr: 0xffffffff',
    'hw.busdma.zone0.total_deferred: 0',
    'hw.busdma.zone0.total_bounced: 0',
    'hw.busdma.zone0.active_bpages: 0',
    'hw.busdma.zone0.reserved_bpages: 0',
    'hw.busdma.zone0.free_bpages: 1',
    'hw.busdma.zone0.total_bpages: 1',
    'hw.busdma.total_bpages: 1',
    'hw.busdma.zone0.total_bpages: 1',
  ]);
});

test('the same trace gives byte-identical JSON run after run', () => {
  const f = file('det.busdma', CHURN);
  const a = cli('run', f, '--json').out;
  const b = cli('run', f, '--json').out;
  assert.equal(a, b);
});

// The expression language: unsigned 64-bit arithmetic, C precedence, and no way into JavaScript.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../src/trace/parser';
import { evaluate, EvalError, type Scope } from '../src/trace/evaluate';
import { runText } from './helpers';

function ev(text: string, names: Record<string, bigint | string> = {}) {
  const { program, diagnostics } = parse('expect ' + text, 'x');
  const e = (program.body[0] as any)?.expr;
  if (!e) throw new Error(diagnostics.map((d) => d.message).join('; '));
  const scope: Scope = {
    name: (n) => names[n],
    field: (_o, f, loc) => { throw new EvalError(`no field ${f}`, loc); },
    indexed: (b, _i, loc) => { throw new EvalError(`no ${b}`, loc); },
  };
  return evaluate(e, scope);
}

test('unsigned 64-bit wrap-around, as uint64_t', () => {
  assert.equal(ev('0 - 1'), 0xffff_ffff_ffff_ffffn);
  assert.equal(ev('BUS_SPACE_MAXADDR + 1'), 0n);
  assert.equal(ev('0x8000_0000_0000_0000 * 2'), 0n);
  assert.equal(ev('-1 == BUS_SPACE_MAXADDR'), 1n);
  assert.equal(ev('1 << 64'), 0n);
  assert.equal(ev('BUS_SPACE_MAXADDR >> 63'), 1n);
});

test('C precedence: comparison binds tighter than & and |; && and || short-circuit', () => {
  assert.equal(ev('1 | 2 == 2'), 1n);
  assert.equal(ev('2 + 3 * 4'), 14n);
  assert.equal(ev('(2 + 3) * 4'), 20n);
  assert.equal(ev('0 && 1 / 0'), 0n);
  assert.equal(ev('1 || 1 / 0'), 1n);
  assert.equal(ev('!0 && !!5'), 1n);
  assert.equal(ev('BUS_DMASYNC_PREWRITE | BUS_DMASYNC_POSTREAD'), 6n);
  assert.equal(ev('17 % 5 + 7 / 2'), 5n);
});

test('strings compare by equality only', () => {
  assert.equal(ev('"a" == "a"'), 1n);
  assert.equal(ev('s == "waiting"', { s: 'waiting' }), 1n);
  assert.throws(() => ev('"a" < "b"'), /needs a number/);
  assert.throws(() => ev('"a" == 1'), /cannot compare/);
});

test('division by zero and unknown names are clean errors with a position', () => {
  try {
    ev('4 / (2 - 2)');
    assert.fail('no error');
  } catch (e) {
    assert.ok(e instanceof EvalError);
    assert.equal((e as EvalError).loc?.col, 13);
  }
  assert.throws(() => ev('nosuch + 1'), /unknown name 'nosuch'/);
});

test('the obvious escapes into JavaScript are clean errors', () => {
  for (const bad of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'prototype']) {
    assert.throws(() => ev(bad), EvalError, bad);
  }
  const { program, diagnostics } = parse('t = bus_dma_tag_create()\nexpect t.constructor == 1\nexpect t.__proto__ == 1', 'x');
  assert.equal(diagnostics.filter((d) => d.severity === 'error').length, 2);
  assert.ok(program);
  // Huge numbers: out of 64 bits is a parse error, never a float.
  const big = parse('expect 99999999999999999999999 == 1', 'x');
  assert.match(big.diagnostics[0].message, /does not fit in 64 bits/);
});

test('expressions read the live state: zones, handles, loop variables, global, leaked_bpages', () => {
  const { runner } = runText(`t = bus_dma_tag_create(lowaddr: BUS_SPACE_MAXADDR_32BIT, maxsize: 8K, nsegments: 2)
repeat 3 as i {
  m[i] = bus_dmamap_create(t)
  expect m[i].state == "idle" && i < 3
}
expect zone0.total_bpages == 6 && global.total_bpages == 6 && t.map_count == 3
expect t.bounce_zone == zone0 && leaked_bpages == 0 && steps == 9`, 'd48182');
  assert.deepEqual(runner.st.expects, { passed: 5, failed: 0 });
});

test('a failed expect names the values it read and the message', () => {
  const { report } = runText(`t = bus_dma_tag_create(lowaddr: BUS_SPACE_MAXADDR_32BIT)
m = bus_dmamap_create(t)
expect zone0.total_bpages > 5, "the zone should have grown"`, 'd48182');
  assert.equal(report.events[0].message, 'expect failed: zone0.total_bpages > 5 (zone0.total_bpages = 1): the zone should have grown');
  assert.equal(report.exit, 1);
});

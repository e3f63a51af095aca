// The language: lexing, parsing, and every diagnostic with its exact line and column.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, formatDiagnostic } from '../src/trace/parser';
import { lexLine } from '../src/trace/lexer';

function errs(src: string): string[] {
  return parse(src, 'f.busdma').diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.col}: ${d.message}`);
}

test('numbers: decimal, hex with _ anywhere after the first digit, size suffixes', () => {
  const vals = lexLine('4096 0x1_0000_0000 64K 16G 2M 1T 0xfK 1_000').map((t) => t.value);
  assert.deepEqual(vals, [4096n, 0x100000000n, 65536n, 16n << 30n, 2n << 20n, 1n << 40n, 0xfn * 1024n, 1000n]);
});

test('numbers that do not fit in 64 bits or are malformed are errors at their column', () => {
  assert.deepEqual(errs('x = bus_dma_tag_create(maxsize: 0x1_0000_0000_0000_0000)'), [
    '1:33: number 0x1_0000_0000_0000_0000 does not fit in 64 bits',
  ]);
  assert.deepEqual(errs('x = bus_dma_tag_create(maxsize: 12Q)'), ["1:33: malformed number '12Q' (suffixes are K, M, G, T)"]);
  assert.deepEqual(errs('x = bus_dma_tag_create(maxsize: 0x)'), ['1:33: hex number needs at least one digit after 0x']);
});

test('the example of trace-language.md section 2 parses without a diagnostic', () => {
  const src = `# optional header lines, before the first call
machine maxmem=16G            # physical memory (Maxmem); default 16G
kernel d48182                 # which kernel revision to model (section 4); default d48182

rx = bus_dma_tag_create(lowaddr: BUS_SPACE_MAXADDR_32BIT, maxsize: MCLBYTES)
m  = bus_dmamap_create(rx)
bus_dmamap_load(rx, m, 0x1_8000_0000:2K, flags: BUS_DMA_NOWAIT)
expect errno == 0
bus_dmamap_sync(rx, m, BUS_DMASYNC_PREWRITE)
bus_dmamap_unload(rx, m)
bus_dmamap_destroy(rx, m)
bus_dma_tag_destroy(rx)

parent = bus_dma_tag_create(lowaddr: BUS_SPACE_MAXADDR_32BIT)
repeat 100 as i {
  t[i] = bus_dma_tag_create(parent: parent, maxsize: 64K, nsegments: 16)
  m[i] = bus_dmamap_create(t[i])
}
busdma_thread()               # run deferred loads now (section 3)
expect zone0.total_bpages <= 8192, "zone must stay under its cap"
print zone0
sysctl hw.busdma
`;
  const { program, diagnostics } = parse(src, 'ex.busdma');
  assert.deepEqual(diagnostics, []);
  assert.equal(program.machine.maxmem, 16n << 30n);
  assert.equal(program.kernel?.id, 'd48182');
  assert.equal(program.body.length, 14);
});

test('all problems are reported at once, sorted, with file:line:col', () => {
  const src = `kernel linux
t = bus_dma_tag_create(lowaddr: BUS_SPACE_MAXADDR_32BIT, colour: 3)
m = bus_dmamap_create(t
bus_dmamap_load(t, q, 0x1000)
repeat 3 {
  bus_dmamap_sync(t)
`;
  const { diagnostics } = parse(src, 'bad.busdma');
  const lines = diagnostics.map((d) => formatDiagnostic('bad.busdma', d));
  assert.deepEqual(lines, [
    "bad.busdma:1:8: error: unknown kernel 'linux' (known: legacy, d47521, d48182, r291142)",
    "bad.busdma:2:58: error: bus_dma_tag_create has no argument 'colour' (known: parent, alignment, boundary, lowaddr, highaddr, maxsize, nsegments, maxsegsz, flags)",
    "bad.busdma:3:24: error: expected ')' to close bus_dmamap_create(",
    "bad.busdma:4:29: error: expected a buffer 'PADDR:LEN' (a ':' and a length)",
    "bad.busdma:5:1: error: this 'repeat' block is never closed with '}'",
    'bad.busdma:6:20: error: bus_dmamap_sync needs 3 arguments (tag, map, ops), got 1',
  ]);
});

test('unknown handles, fields and names are errors; kinds are checked', () => {
  assert.deepEqual(errs(`t = bus_dma_tag_create()
bus_dmamap_unload(t, nosuch)
expect zone0.totl_bpages == 0
expect t.pagesneeded == 0
expect bogus == 1
m = bus_dmamap_create(t)
bus_dma_tag_destroy(m)`), [
    "2:22: unknown handle 'nosuch': no map is ever assigned to it",
    '3:14: a zone has no field \'totl_bpages\' (fields: total_bpages, free_bpages, reserved_bpages, active_bpages, total_bounced, total_deferred, map_count, lowaddr, alignment, refcount, tags, domain, destroyed)',
    "4:10: a tag has no field 'pagesneeded' (fields: map_count, lowaddr, highaddr, alignment, boundary, maxsize, nsegments, maxsegsz, bounce_zone, could_bounce, min_alloc_comp, flags, maxpages)",
    "5:8: unknown name 'bogus'",
    "7:21: 'm' holds a map, but a tag is expected here",
  ]);
});

test('header lines must come first; a stray brace and trailing tokens are errors', () => {
  assert.deepEqual(errs(`t = bus_dma_tag_create()
machine maxmem=8G
}
bus_dma_tag_destroy(t) extra`), [
    "2:1: 'machine' must come before the first call, outside any repeat",
    "3:1: '}' without a matching 'repeat'",
    "4:24: unexpected 'extra' at the end of the statement",
  ]);
});

test('strings, escapes and bad characters', () => {
  assert.deepEqual(errs('log "unterminated'), ['1:5: unterminated string']);
  assert.deepEqual(errs('log "a\\qb"'), ["1:5: unknown escape '\\q' in string"]);
  assert.deepEqual(errs('t = bus_dma_tag_create() €'), ["1:26: unexpected character '€'"]);
});

test('the errno of a call counts as checked only by an expect on the next statement of its block', () => {
  const { program } = parse(`t = bus_dma_tag_create()
expect errno == 0
m = bus_dmamap_create(t)
print errno
expect errno == 0
repeat 2 {
  bus_dma_tag_destroy(t)
}
expect errno == 0`, 'x');
  const calls = [...program.lines.values()].filter((s) => s.kind === 'call').map((s) => (s as any).checked);
  assert.deepEqual(calls, [true, false, false]);
});

test('reserved names cannot be handles or loop variables', () => {
  assert.deepEqual(errs(`errno = bus_dma_tag_create()
repeat 2 as zone3 {
}`), [
    "1:1: 'errno' is reserved and cannot name a handle",
    "2:13: 'zone3' is reserved and cannot name a loop variable",
  ]);
});

test('deeply nested expressions and repeats are refused cleanly', () => {
  const deep = 'expect ' + '('.repeat(500) + '1' + ')'.repeat(500);
  const e = errs(deep);
  assert.equal(e.length, 1);
  assert.match(e[0], /nested too deeply/);
  const nested = Array.from({ length: 300 }, () => 'repeat 1 {').join('\n') + '\n' + Array.from({ length: 300 }, () => '}').join('\n');
  assert.ok(errs(nested).some((m) => /nested more than 200 deep/.test(m)));
});

test('buffer lists and indexed handles', () => {
  const { program, diagnostics } = parse(`repeat 4 as i {
  t[i] = bus_dma_tag_create()
  m[i] = bus_dmamap_create(t[i])
  bus_dmamap_load(t[i], m[i], [0x1000 + i * 4K:2K, 0x9000:1K], flags: BUS_DMA_NOWAIT)
}`, 'x');
  assert.deepEqual(diagnostics, []);
  const load = (program.body[0] as any).body[2];
  assert.equal(load.positional[2].kind, 'buffers');
  assert.equal(load.positional[2].buffers.length, 2);
});

test('released call arguments are re-read identically, at their own lines', () => {
  const { readdirSync, readFileSync } = require('node:fs') as typeof import('node:fs');
  const strip = (x: unknown): string => JSON.stringify(x, (k, v) => (k === 'args' || k === 'meta' ? undefined : typeof v === 'bigint' ? v.toString() + 'n' : v));
  for (const f of readdirSync('test-fixtures').filter((n: string) => n.endsWith('.busdma'))) {
    const text = readFileSync('test-fixtures/' + f, 'utf8');
    const a = parse(text, f);
    const b = parse(text, f, { keepTrees: true });
    assert.deepEqual(a.diagnostics, b.diagnostics, f);
    for (const [line, s] of a.program.lines) {
      const t = b.program.lines.get(line)!;
      if (s.kind !== 'call' || t.kind !== 'call') continue;
      assert.equal(strip(s.positional), strip(t.positional), `${f}:${line}`);
      assert.equal(strip(s.named), strip(t.named), `${f}:${line}`);
      assert.equal(s.checked, t.checked);
    }
  }
});

test('a long chain of operators is bounded like deep nesting: a clean error, and 200 still evaluate', () => {
  const long = 'expect ' + Array(5000).fill('1').join(' + ') + ' > 0';
  const e = errs(long);
  assert.equal(e.length, 1);
  assert.match(e[0], /^1:\d+: expression too long \(more than 200 operators\)$/);
  const { runner } = require('./helpers').runText('expect ' + Array(200).fill('1').join(' + ') + ' == 200');
  assert.equal(runner.st.expects.passed, 1);
});

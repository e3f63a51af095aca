// The parser's fast path must not change its output: every diagnostic (message, line, columns,
// code) and the whole AST (including the re-read arguments of released calls) are compared
// with the general path alone (parse(..., { generalOnly: true })), which reads every line
// through the lexer and the recursive-descent parser as before the speed work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { charBytes, parse, parseAscii, parseExpression, type ParseOptions } from '../src/trace/parser';
import { lexLine } from '../src/trace/lexer';

const refParse = (source: string, file?: string, opts: { keepTrees?: boolean } = {}) => parse(source, file, { ...opts, generalOnly: true });
const refParseExpression = parseExpression;
const refLexLine = lexLine;
import { CallStmt, type Program } from '../src/trace/ast';
import { mixedTrace } from '../bench/gen';

function fixtureFiles(dir = 'test-fixtures'): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...fixtureFiles(p));
    else if (f.endsWith('.busdma')) out.push(p);
  }
  return out;
}

/** A JSON-able picture of a value: class names, own keys in order, bigints, undefined fields. */
function pic(v: unknown, ids: Map<object, string>, path: string): unknown {
  if (v === undefined) return '$undefined';
  if (typeof v === 'bigint') return { $big: v.toString() };
  if (v === null || typeof v !== 'object') return v;
  ids.set(v, path);
  if (Array.isArray(v)) return v.map((x, i) => pic(x, ids, `${path}/${i}`));
  if (v instanceof Map) return { $map: [...v.entries()].map(([k, x], i) => [k, pic(x, ids, `${path}/${i}`)]) };
  const o: Record<string, unknown> = { $class: v.constructor?.name };
  const rec = v as Record<string, unknown>;
  if (v instanceof CallStmt) {
    // Released or not, and what a re-read gives; then drop and re-read once more.
    o.$released = v.released;
    o.call = v.call;
    o.callCol = v.callCol;
    o.checked = v.checked;
  }
  for (const k of Object.keys(v)) {
    if (v instanceof CallStmt && (k === 'args' || k === 'meta')) continue;
    o[k] = pic(rec[k], ids, `${path}.${k}`);
  }
  if (v instanceof CallStmt) {
    o.positional = pic(v.positional, ids, `${path}.positional`);
    o.named = pic(v.named, ids, `${path}.named`);
    o.callLoc = pic(v.callLoc, ids, `${path}.callLoc`);
    v.drop();
    o.$afterDrop = v.released;
    o.positional2 = pic(v.positional, new Map(), '');
    o.named2 = pic(v.named, new Map(), '');
    v.drop();
  }
  return o;
}

function dumpProgram(p: Program): unknown {
  const ids = new Map<object, string>();
  const body = pic(p.body, ids, 'body');
  // Statements by line: which statement object of the body each line points to.
  const lines = [...p.lines.entries()].map(([l, s]) => [l, ids.get(s) ?? 'NOT IN BODY']);
  return {
    file: p.file, sameSource: true, machine: pic(p.machine, ids, 'machine'), kernel: pic(p.kernel, ids, 'kernel'),
    handleKinds: [...p.handleKinds.entries()], linesSize: p.lines.size, lines, body,
  };
}

function dumpParse(r: { program: Program; diagnostics: unknown[] }): unknown {
  return { diagnostics: pic(r.diagnostics, new Map(), 'd'), program: dumpProgram(r.program) };
}

function same(text: string, what: string): void {
  // Trees kept, released and re-read from the text (copied line by line, or from the caller's
  // bytes), released and rebuilt from the kept atoms.
  const modes: [string, ParseOptions][] = [
    ['released', {}], ['keepTrees', { keepTrees: true }], ['keepAtoms', { keepAtoms: true }], ['bytes', { bytes: charBytes(text) }],
  ];
  // An ASCII text also from its bytes alone, as the CLI reads a file (parseAscii): the source is
  // then made from the bytes, and must come out the same.
  const ascii = /^[\x00-\x7f]*$/.test(text);
  if (ascii) modes.push(['ascii', { keepAtoms: true }], ['ascii, no atoms', {}]);
  for (const [mode, opts] of modes) {
    let want: unknown;
    let got: unknown;
    const fromBytes = mode.startsWith('ascii');
    try { want = dumpParse(refParse(text, 'f.busdma', { keepTrees: !!opts.keepTrees })); } catch (e) { want = { threw: String(e) }; }
    try {
      const r = fromBytes ? parseAscii(Buffer.from(text, 'latin1'), 'f.busdma', opts) : parse(text, 'f.busdma', opts);
      got = dumpParse(r);
      if (r.program.source !== text) got = { source: 'differs' };
    } catch (e) { got = { threw: String(e) }; }
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      assert.deepEqual(got, want, `${what} (${mode}) differs; text:\n${JSON.stringify(text).slice(0, 2000)}`);
    }
  }
}

function sameLines(text: string): void {
  for (const l of text.split('\n')) {
    assert.deepEqual(pic(lexLine(l), new Map(), ''), pic(refLexLine(l), new Map(), ''), `lexLine ${JSON.stringify(l)}`);
    assert.deepEqual(pic(parseExpression(l), new Map(), ''), pic(refParseExpression(l), new Map(), ''), `parseExpression ${JSON.stringify(l)}`);
  }
}

const FILES = fixtureFiles();
const TEXTS = FILES.map((f) => readFileSync(f, 'utf8'));

test('every fixture parses exactly as the general path does', () => {
  assert.ok(FILES.length >= 20);
  FILES.forEach((f, i) => {
    same(TEXTS[i], f);
    same(TEXTS[i].replace(/\n/g, '\r\n'), f + ' (CRLF)');
    sameLines(TEXTS[i]);
  });
});

test('generated traces parse exactly as the general path does', () => {
  same(mixedTrace(20_000, 1), 'mixedTrace(20000, 1)');
  same(mixedTrace(3_000, 5), 'mixedTrace(3000, 5)');
  sameLines(mixedTrace(300, 3));
});

// Pieces of the language to splice into fixtures, so mutations hit the interesting paths.
const PIECES = [
  '(', ')', '[', ']', '{', '}', ',', ':', '.', '=', '==', '!=', '<<', '>>', '<=', '>=', '&&', '||', '!', '~', '-', '+', '*', '/', '%', '^', '&', '|',
  '#', '"', '\\', '\\n', '\\q', ' ', '\t', '\r', '\n', '\r\n', '0', '0x', '0x_', '1_000', '4K', '16G', '2T', '7Q', '0xffff_ffff_ffff_ffff', '0x1_0000_0000_0000_0000',
  '18446744073709551616', '9007199254740993', '123456789012345678901', 'K', 'x', '_', 'é', '😀', '\u00a0',
  'repeat', 'repeat 3 as i {', 'as', 'expect', 'expect errno == 0', 'print', 'log', 'log "hi"', 'sysctl', 'sysctl hw.busdma', 'machine', 'machine maxmem=1G', 'kernel', 'kernel legacy',
  'bus_dma_tag_create', 'bus_dmamap_create', 'bus_dmamap_load', 'bus_dmamap_sync', 'bus_dmamap_unload', 'bus_dmamap_destroy', 'bus_dma_tag_destroy', 'busdma_thread',
  'flags:', 'parent:', 'lowaddr:', 'maxsize:', 'nsegments:', 'BUS_DMA_NOWAIT', 'BUS_SPACE_MAXADDR', 'errno', 'cb_error', 'global', 'zone0', 'zone0.total_bpages', 'steps', 'i', 't', 'm', 't[i]', 'm[0]',
  ')\n}', 'bus_dmamap_load(t, m, 0x1000:4K, flags: BUS_DMA_NOWAIT)', 'x = bus_dma_tag_create()', '[0x1000:1K, 0x2000:2K]',
];

const mutation = fc.tuple(fc.nat(), fc.oneof(
  fc.record({ how: fc.constant('byte' as const), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ how: fc.constant('piece' as const), piece: fc.constantFrom(...PIECES) }),
  fc.record({ how: fc.constant('delete' as const), len: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ how: fc.constant('dup' as const), len: fc.integer({ min: 1, max: 40 }) }),
));

function mutate(text: string, muts: [number, { how: string; byte?: number; piece?: string; len?: number }][]): string {
  let s = text;
  for (const [pos, m] of muts) {
    const i = s.length ? pos % (s.length + 1) : 0;
    if (m.how === 'byte') s = s.slice(0, i) + String.fromCharCode(m.byte!) + s.slice(i + 1);
    else if (m.how === 'piece') s = s.slice(0, i) + m.piece + s.slice(i);
    else if (m.how === 'delete') s = s.slice(0, i) + s.slice(i + m.len!);
    else s = s.slice(0, i) + s.slice(i, i + m.len!) + s.slice(i);
  }
  return s;
}

test('thousands of mutated fixtures parse exactly as the general path does', () => {
  const idx = fc.integer({ min: 0, max: TEXTS.length - 1 });
  fc.assert(fc.property(idx, fc.array(mutation, { minLength: 1, maxLength: 10 }), (k, muts) => {
    same(mutate(TEXTS[k], muts), `mutation of ${FILES[k]}`);
  }), { seed: 20250101, numRuns: 3000 });
});

test('mutated lines parse, lex and read as expressions exactly as the general path does', () => {
  const lines = TEXTS.flatMap((t) => t.split('\n')).filter((l) => l.trim() && !l.trim().startsWith('#'));
  lines.push(...mixedTrace(200, 9).split('\n').filter((l) => l));
  const gen = mixedTrace(40, 11);
  fc.assert(fc.property(fc.integer({ min: 0, max: lines.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (k, muts) => {
    const l = mutate(lines[k], muts);
    sameLines(l);
    same(gen + l + '\n' + gen.slice(0, 300), 'a mutated line after a generated trace');
  }), { seed: 4242, numRuns: 1500 });
});

test('byte mutations of a generated trace parse exactly as the general path does', () => {
  const gen = mixedTrace(150, 2);
  fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 20 }), (muts) => {
    same(mutate(gen, muts), 'mutation of a generated trace');
  }), { seed: 99, numRuns: 400 });
});

test('every one-piece edit of typical call lines parses exactly as the general path does', () => {
  const header = 'machine maxmem=16G\nkernel d48182\nt = bus_dma_tag_create(lowaddr: BUS_SPACE_MAXADDR_32BIT, maxsize: 64K, nsegments: 16)\nm = bus_dmamap_create(t)\n';
  const bases = [
    'bus_dmamap_load(t, m, 0x1000c000:2048, flags: BUS_DMA_NOWAIT)',
    'bus_dmamap_sync(t, m, BUS_DMASYNC_PREWRITE)',
    'm2 = bus_dmamap_create(t, flags: 0)',
    't2 = bus_dma_tag_create(parent: t, lowaddr: 0xffff_ffff, maxsize: 4K, nsegments: 1) # c',
    'bus_dmamap_unload(t, m)',
    'busdma_thread()',
  ];
  const edits = [
    '', ' ', '\t', '\r', ',', ')', '(', ':', '=', '==', '[', ']', '.', '|', '#', '"', '0', '1', 'x', 'X', '_', 'K', 'G', 'T', 'a', 'Z', 'é',
    '9007199254740991', '9007199254740992', '9007199254740993', '0x1fffffffffffff', '0x20000000000001', '8388607T', '8388608T', '8191G',
    '18446744073709551615', '18446744073709551616', 'flags:', 'parent:', 'BUS_DMA_NOWAIT', 'errno', 'zone0', 'as', 't', 'm',
  ];
  const lines: string[] = [];
  for (const b of bases) {
    for (let i = 0; i <= b.length; i++) {
      for (const e of edits) lines.push(b.slice(0, i) + e + b.slice(i)); // insert
      lines.push(b.slice(0, i) + b.slice(i + 1)); // delete one
      for (const e of [' ', ',', ')', ':', '0', 'x', '_', 'K', 'q']) lines.push(b.slice(0, i) + e + b.slice(i + 1)); // replace one
    }
  }
  same(header + lines.join('\n') + '\n', 'one-piece edits');
  // Inside a repeat (loop variables in scope), and each edit alone after the header.
  same(header + 'repeat 2 as t3 {\n' + lines.slice(0, 3000).join('\n') + '\n}\n', 'one-piece edits in a repeat');
  for (let k = 0; k < lines.length; k += 7) same(header + lines[k] + '\n', 'one edit');
});

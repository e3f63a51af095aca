// src/editor/docs.ts: every name of the language is documented, with FreeBSD's values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  BUILTINS,
  CALLS,
  CONSTANTS,
  ERRNOS,
  FLAGS,
  GLOBAL_FIELDS,
  KERNELS,
  KEYWORDS,
  MAP_FIELDS,
  NAMED_ARGS,
  TAG_FIELDS,
  ZONE_FIELDS,
  allNames,
  docFor,
  parseInteger,
  type DocEntry,
} from '../src/editor/docs';
import * as parser from '../src/trace/parser';
import { NAMED_CONSTANTS } from '../src/core/constants';
import { KERNEL_IDS } from '../src/core/kernels';

// The names trace-language.md lists (sections 1, 2 and 4), written out so that the test
// does not only compare the code with itself.
const SPEC_CALLS = [
  'bus_dma_tag_create',
  'bus_dma_tag_destroy',
  'bus_dmamap_create',
  'bus_dmamap_destroy',
  'bus_dmamap_load',
  'bus_dmamap_unload',
  'bus_dmamap_sync',
  'busdma_thread',
];
const SPEC_NAMED_ARGS = ['parent', 'alignment', 'boundary', 'lowaddr', 'highaddr', 'maxsize', 'nsegments', 'maxsegsz', 'flags'];

// FreeBSD amd64: sys/x86/include/bus.h, sys/sys/param.h (PAGE_SIZE from machine/param.h).
const SPEC_CONSTANTS: Record<string, bigint> = {
  BUS_SPACE_MAXADDR: 0xffff_ffff_ffff_ffffn,
  BUS_SPACE_MAXADDR_32BIT: 0xffff_ffffn,
  BUS_SPACE_MAXADDR_24BIT: 0x00ff_ffffn,
  BUS_SPACE_MAXSIZE: 0xffff_ffff_ffff_ffffn,
  BUS_SPACE_MAXSIZE_32BIT: 0xffff_ffffn,
  BUS_SPACE_MAXSIZE_24BIT: 0x00ff_ffffn,
  PAGE_SIZE: 4096n,
  MCLBYTES: 2048n,
  MJUMPAGESIZE: 4096n,
  MJUM9BYTES: 9216n,
  MJUM16BYTES: 16384n,
};
// sys/sys/bus_dma.h.
const SPEC_FLAGS: Record<string, number> = {
  BUS_DMA_WAITOK: 0,
  BUS_DMA_NOWAIT: 1,
  BUS_DMA_ALLOCNOW: 2,
  BUS_DMA_COHERENT: 4,
  BUS_DMA_ZERO: 8,
  BUS_DMA_KEEP_PG_OFFSET: 0x400,
  BUS_DMASYNC_PREREAD: 1,
  BUS_DMASYNC_POSTREAD: 2,
  BUS_DMASYNC_PREWRITE: 4,
  BUS_DMASYNC_POSTWRITE: 8,
};
// sys/sys/errno.h.
const SPEC_ERRNOS: Record<string, number> = { EINPROGRESS: 36, ENOMEM: 12, EBUSY: 16, EINVAL: 22, EFBIG: 27 };

const sorted = (xs: Iterable<string>) => [...xs].sort();

function assertWellFormed(entry: DocEntry, where: string): void {
  assert.ok(entry.markdown.length > 40, `${where} ${entry.name}: too short`);
  assert.equal((entry.markdown.match(/```/g) ?? []).length % 2, 0, `${where} ${entry.name}: unbalanced code fence`);
  assert.equal((entry.markdown.replace(/```[\s\S]*?```/g, '').match(/`/g) ?? []).length % 2, 0, `${where} ${entry.name}: unbalanced backquote`);
}

test('every call of the language is documented', () => {
  assert.deepEqual(sorted(CALLS.keys()), sorted(SPEC_CALLS));
  assert.deepEqual(sorted(CALLS.keys()), sorted(Object.keys(parser.CALLS)), 'docs and parser disagree on the calls');
  for (const [name, doc] of CALLS) {
    assertWellFormed(doc, 'call');
    assert.ok(doc.signature.includes(name), `${name}: signature`);
    assert.ok(doc.markdown.includes(name), `${name}: markdown shows the call`);
    for (const e of doc.errnos) assert.ok(e in SPEC_ERRNOS, `${name}: unknown errno ${e}`);
  }
  // What the kernel returns (trace-language.md section 2, busdma-model.md section 8.9).
  assert.deepEqual(sorted(CALLS.get('bus_dmamap_load')!.errnos), ['EINPROGRESS', 'ENOMEM']);
  assert.deepEqual(CALLS.get('bus_dmamap_destroy')!.errnos, ['EBUSY']);
  assert.deepEqual(CALLS.get('bus_dma_tag_destroy')!.errnos, ['EBUSY']);
  assert.deepEqual(CALLS.get('bus_dmamap_create')!.errnos, ['ENOMEM']);
  assert.match(CALLS.get('bus_dmamap_load')!.markdown, /EFBIG/);
  assert.match(CALLS.get('bus_dmamap_create')!.markdown, /MAX\(pages, 1\)|floor of one page/);
  assert.match(CALLS.get('bus_dmamap_sync')!.markdown, /total_bounced/);
});

test('every named argument is documented with the default of trace-language.md section 2', () => {
  assert.deepEqual(sorted(NAMED_ARGS.keys()), sorted(SPEC_NAMED_ARGS));
  const parserNamed = new Set(Object.values(parser.CALLS).flatMap((c: { named: string[] }) => c.named));
  assert.deepEqual(sorted(NAMED_ARGS.keys()), sorted(parserNamed));
  const defaults: Record<string, RegExp> = {
    parent: /no parent/,
    alignment: /^1\b/,
    boundary: /^0\b/,
    lowaddr: /BUS_SPACE_MAXADDR`?$/,
    highaddr: /BUS_SPACE_MAXADDR`?$/,
    maxsize: /PAGE_SIZE/,
    nsegments: /^1$/,
    maxsegsz: /maxsize/,
    flags: /0/,
  };
  for (const [name, doc] of NAMED_ARGS) {
    assertWellFormed(doc, 'argument');
    assert.match(doc.defaultValue, defaults[name], `${name}: default ${doc.defaultValue}`);
    for (const c of doc.calls) {
      assert.ok((parser.CALLS as Record<string, { named: string[] }>)[c]?.named.includes(name), `${c} takes no ${name}:`);
    }
  }
});

test('constants have FreeBSD amd64 values, shown in hex and decimal', () => {
  assert.deepEqual(sorted(CONSTANTS.keys()), sorted(Object.keys(SPEC_CONSTANTS)));
  for (const [name, value] of Object.entries(SPEC_CONSTANTS)) {
    const doc = CONSTANTS.get(name)!;
    assert.equal(doc.value, value, name);
    assert.equal(NAMED_CONSTANTS[name], value, `${name}: the simulator disagrees`);
    assertWellFormed(doc, 'constant');
    assert.ok(doc.markdown.includes(`0x${value.toString(16)}`), `${name}: hex`);
    assert.ok(doc.markdown.includes(value.toString(10)), `${name}: decimal`);
  }
  assert.equal(CONSTANTS.get('BUS_SPACE_MAXADDR_32BIT')!.value, 0xffffffffn);
  assert.equal(CONSTANTS.get('MCLBYTES')!.value, 2048n);
});

test('flags and sync operations have the values of sys/sys/bus_dma.h', () => {
  assert.deepEqual(sorted(FLAGS.keys()), sorted(Object.keys(SPEC_FLAGS)));
  for (const [name, value] of Object.entries(SPEC_FLAGS)) {
    const doc = FLAGS.get(name)!;
    assert.equal(doc.value, value, name);
    assert.equal(doc.sync, name.startsWith('BUS_DMASYNC_'), `${name}: sync`);
    assert.equal(NAMED_CONSTANTS[name], BigInt(value), `${name}: the simulator disagrees`);
    assertWellFormed(doc, 'flag');
    assert.ok(doc.markdown.includes(`0x${value.toString(16)}`) && doc.markdown.includes(`(${value})`), `${name}: hex and decimal`);
  }
  assert.equal(FLAGS.get('BUS_DMA_NOWAIT')!.value, 1);
  assert.equal(FLAGS.get('BUS_DMA_ALLOCNOW')!.value, 2);
  assert.equal(FLAGS.get('BUS_DMA_COHERENT')!.value, 4);
  assert.equal(FLAGS.get('BUS_DMA_ZERO')!.value, 8);
  assert.equal(FLAGS.get('BUS_DMA_KEEP_PG_OFFSET')!.value, 0x400);
  assert.equal(FLAGS.get('BUS_DMASYNC_PREREAD')!.value, 1);
  assert.equal(FLAGS.get('BUS_DMASYNC_POSTREAD')!.value, 2);
  assert.equal(FLAGS.get('BUS_DMASYNC_PREWRITE')!.value, 4);
  assert.equal(FLAGS.get('BUS_DMASYNC_POSTWRITE')!.value, 8);
});

test('errno names have the values of sys/sys/errno.h', () => {
  assert.deepEqual(sorted(ERRNOS.keys()), sorted(Object.keys(SPEC_ERRNOS)));
  for (const [name, value] of Object.entries(SPEC_ERRNOS)) {
    const doc = ERRNOS.get(name)!;
    assert.equal(doc.value, value, name);
    assert.equal(NAMED_CONSTANTS[name], BigInt(value), `${name}: the simulator disagrees`);
    assertWellFormed(doc, 'errno');
    assert.ok(doc.markdown.includes(String(value)), `${name}: value`);
  }
});

test('every named constant of the language is documented exactly once', () => {
  const documented = [...CONSTANTS.keys(), ...FLAGS.keys(), ...ERRNOS.keys()];
  assert.equal(new Set(documented).size, documented.length);
  assert.deepEqual(sorted(documented), sorted(Object.keys(NAMED_CONSTANTS)));
});

test('kernels, keywords, built-in names and state fields are documented', () => {
  assert.deepEqual(sorted(KERNELS.keys()), sorted(KERNEL_IDS));
  assert.deepEqual(sorted(KEYWORDS.keys()), sorted(['machine', 'kernel', 'repeat', 'as', 'expect', 'print', 'log', 'sysctl']));
  assert.deepEqual(sorted(BUILTINS.keys()), sorted(parser.BUILTIN_NAMES));
  assert.deepEqual(sorted(ZONE_FIELDS.keys()), sorted(parser.ZONE_FIELDS));
  assert.deepEqual(sorted(TAG_FIELDS.keys()), sorted(parser.TAG_FIELDS));
  assert.deepEqual(sorted(MAP_FIELDS.keys()), sorted(parser.MAP_FIELDS));
  assert.deepEqual(sorted(GLOBAL_FIELDS.keys()), sorted(parser.GLOBAL_FIELDS));
  for (const table of [KERNELS, KEYWORDS, BUILTINS, ZONE_FIELDS, TAG_FIELDS, MAP_FIELDS, GLOBAL_FIELDS] as ReadonlyMap<string, DocEntry>[]) {
    for (const doc of table.values()) assertWellFormed(doc, 'entry');
  }
});

test('docFor finds what the word pattern selects', () => {
  for (const name of allNames()) assert.ok(docFor(name), `no doc for ${name}`);
  assert.equal(docFor('bus_dmamap_load'), CALLS.get('bus_dmamap_load')!.markdown);
  assert.equal(docFor('lowaddr:'), NAMED_ARGS.get('lowaddr')!.markdown);
  assert.equal(docFor('bus_dmamap_sync('), CALLS.get('bus_dmamap_sync')!.markdown);
  assert.equal(docFor('  MCLBYTES '), CONSTANTS.get('MCLBYTES')!.markdown);
  assert.match(docFor('maxmem')!, /Maxmem/);

  assert.equal(docFor('zone0.total_bpages'), ZONE_FIELDS.get('total_bpages')!.markdown);
  assert.equal(docFor('zone12.map_count'), ZONE_FIELDS.get('map_count')!.markdown);
  assert.equal(docFor('global.total_bpages'), GLOBAL_FIELDS.get('total_bpages')!.markdown);
  assert.equal(docFor('rx.map_count'), TAG_FIELDS.get('map_count')!.markdown);
  assert.equal(docFor('t[i].lowaddr'), TAG_FIELDS.get('lowaddr')!.markdown);
  assert.equal(docFor('m[3].state'), MAP_FIELDS.get('state')!.markdown);
  assert.match(docFor('zone0')!, /hw\.busdma\.zone0/);
  assert.match(docFor('zone7')!, /8th zone/);

  assert.match(docFor('64K')!, /65536/);
  assert.match(docFor('64K')!, /0x10000/);
  assert.match(docFor('0x1_0000_0000')!, /4294967296/);
  assert.match(docFor('16G')!, /16 GiB/);

  for (const nothing of ['', '   ', 'rx', 'rx.nofield', 'zone0.nofield', 'constructor', '__proto__', 'toString', 'hasOwnProperty', '64KB', '0x', 'BUS_DMA_NOCACHE']) {
    assert.equal(docFor(nothing), undefined, `doc for ${JSON.stringify(nothing)}`);
  }
});

test('parseInteger reads integer literals as the lexer does', () => {
  assert.equal(parseInteger('4096'), 4096n);
  assert.equal(parseInteger('1_000'), 1000n);
  assert.equal(parseInteger('0x1_0000_0000'), 0x1_0000_0000n);
  assert.equal(parseInteger('0XFF'), 255n);
  assert.equal(parseInteger('64K'), 65536n);
  assert.equal(parseInteger('2M'), 2n << 20n);
  assert.equal(parseInteger('16G'), 16n << 30n);
  assert.equal(parseInteger('1T'), 1n << 40n);
  assert.equal(parseInteger('0x10K'), 16n << 10n);
  assert.equal(parseInteger('0xffff_ffff_ffff_ffff'), 0xffff_ffff_ffff_ffffn);
  for (const bad of ['0x1_0000_0000_0000_0000', '16777216T', '64KB', '4k', '0x', 'x10', '']) {
    assert.equal(parseInteger(bad), undefined, bad);
  }
});

test('docs.ts stays free of vscode and of the simulator', () => {
  const source = fs.readFileSync(path.join(process.cwd(), 'src', 'editor', 'docs.ts'), 'utf8');
  assert.doesNotMatch(source, /from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)/);
  assert.doesNotMatch(source, /^\s*import\s/m, 'docs.ts is pure data: no imports');
});

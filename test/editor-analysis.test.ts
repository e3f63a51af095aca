// The editor's pure language features (src/editor/analysis.ts) on fixture and inline texts:
// diagnostics with the two lints, hover, completion, symbols, definition, references and the
// expressions a debug hover evaluates. Positions are 1-based, as the module gives them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import {
  Analysis, completionsAt, definitionAt, diagnosticsFor, diagnosticsOf, evaluatableAt, hoverAt, referencesAt, stateRefsOn, symbolsOf,
} from '../src/editor/analysis';
import { parse } from '../src/trace/parser';
import { docFor, NAMED_ARGS } from '../src/editor/docs';
import { mixedTrace } from '../bench/gen';

const FIX = 'test-fixtures/';
const fixture = (name: string) => readFileSync(FIX + name, 'utf8');
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
const colOf = (text: string, line: number, needle: string) => text.split('\n')[line - 1].indexOf(needle) + 1;
const labels = (cs: { label: string }[]) => cs.map((c) => c.label);

// ---- diagnostics ----------------------------------------------------------------------------

test('diagnostics: the parser diagnostics come through unchanged, with the lints added', () => {
  const text = 't = bus_dma_tag_create()\nm = bus_dmamap_create(nosuch)\nexpect errno == 0\nbus_dmamap_load(t, m, 0x1000:4K)\n';
  const ours = diagnosticsFor(text, 'a.busdma');
  const parser = parse(text, 'a.busdma').diagnostics;
  for (const d of parser) assert.ok(ours.some((o) => o.line === d.line && o.col === d.col && o.message === d.message && o.severity === d.severity), d.message);
  const unknown = ours.find((d) => d.code === 'unknown-handle' && d.message.includes('nosuch'))!;
  assert.deepEqual([unknown.line, unknown.col, unknown.endCol, unknown.severity], [2, 23, 29, 'error']);
  // Lints skip a line with an error and the line before it (its next statement is unknown).
  assert.deepEqual(ours.filter((d) => d.code === 'unchecked-errno').map((d) => [d.line, d.col, d.endCol, d.severity]), [[4, 1, 16, 'hint']]);
  const load = ours.find((d) => d.code === 'unchecked-errno' && d.line === 4)!;
  assert.match(load.message, /bus_dmamap_load.*ENOMEM, EINPROGRESS/);
});

test('diagnostics: no use-after-destroy on any fixture (no false positives), hints only for unchecked calls', () => {
  for (const f of readdirSync(FIX).filter((n) => n.endsWith('.busdma'))) {
    const text = fixture(f);
    const ds = diagnosticsFor(text, f);
    assert.deepEqual(ds.filter((d) => d.severity !== 'hint'), [], f);
    const { program } = parse(text, f);
    for (const d of ds) {
      const s = program.lines.get(d.line);
      assert.ok(s && s.kind === 'call' && !s.checked, `${f}:${d.line}`);
    }
  }
});

test('unchecked-errno: only for calls that can fail, and not when the next statement checks errno or cb_error', () => {
  const text = [
    't = bus_dma_tag_create(maxsize: 4K)',          // 1 unchecked
    'expect t.map_count == 0',                        // 2 (does not read errno)
    'm = bus_dmamap_create(t)',                       // 3 checked
    'expect errno == 0',
    'bus_dmamap_load(t, m, 0x1000:4K)',               // 5 checked by cb_error
    'expect cb_error == 0',
    'bus_dmamap_sync(t, m, BUS_DMASYNC_PREWRITE)',    // 7 cannot fail
    'bus_dmamap_unload(t, m)',                        // 8 cannot fail
    'busdma_thread()',                                // 9 cannot fail
    'bus_dmamap_destroy(t, m)',                       // 10 unchecked
    'repeat 2 {',
    '  bus_dma_tag_destroy(t)',                       // 12 unchecked: the next statement is outside the block
    '}',
    'expect errno == 0',
  ].join('\n');
  const hints = diagnosticsFor(text).filter((d) => d.code === 'unchecked-errno');
  assert.deepEqual(hints.map((d) => [d.line, d.col, d.endCol]), [[1, 5, 23], [10, 1, 19], [12, 3, 22]]);
});

test('use-after-destroy: straight-line uses after a destroy that certainly succeeded', () => {
  const text = [
    't = bus_dma_tag_create(lowaddr: BUS_SPACE_MAXADDR_32BIT)', // 1
    'm = bus_dmamap_create(t)',                                  // 2
    'bus_dmamap_load(t, m, 0x1_0000_0000:4K)',                   // 3
    'bus_dmamap_unload(t, m)',                                   // 4
    'bus_dmamap_destroy(t, m)',                                  // 5 unloaded: succeeds
    'bus_dmamap_sync(t, m, BUS_DMASYNC_PREWRITE)',               // 6 use of m
    'bus_dma_tag_destroy(t)',                                    // 7 no live map: succeeds
    'u = bus_dma_tag_create(parent: t)',                         // 8 use of t (parent)
    'bus_dma_tag_destroy(t)',                                    // 9 double destroy
  ].join('\n');
  const w = diagnosticsFor(text).filter((d) => d.code === 'use-after-destroy');
  assert.deepEqual(w.map((d) => [d.line, d.col, d.endCol, d.severity]), [[6, 20, 21, 'warning'], [8, 32, 33, 'warning'], [9, 21, 22, 'warning']]);
  assert.equal(w[0].message, "'m' is used after bus_dmamap_destroy on line 5: the simulator reports a misuse and the call does nothing");
  assert.match(w[1].message, /after bus_dma_tag_destroy on line 7/);
});

test('use-after-destroy: nothing when the destroy may have failed, or the name is rebound', () => {
  const text = [
    't = bus_dma_tag_create(lowaddr: BUS_SPACE_MAXADDR_32BIT)', // 1
    'm = bus_dmamap_create(t)',                                  // 2
    'bus_dmamap_load(t, m, 0x1_0000_0000:4K)',                   // 3
    'bus_dmamap_destroy(t, m)',                                  // 4 loaded: may be EBUSY
    'bus_dmamap_unload(t, m)',                                   // 5 fine
    'bus_dma_tag_destroy(t)',                                    // 6 t has a live map: EBUSY
    'bus_dmamap_destroy(t, m)',                                  // 7 fine
    'expect errno == EBUSY',                                     // the author expects a failure
    'bus_dmamap_create(t)',                                      // 9 fine (the warning is about not keeping it)
    'm = bus_dmamap_create(t)',                                  // 10
    'bus_dmamap_destroy(t, m)',                                  // 11 succeeds (unchecked, unloaded)
    'm = bus_dmamap_create(t)',                                  // 12 rebinds m
    'bus_dmamap_load(t, m, 0x1000:4K)',                          // 13 fine
  ].join('\n');
  assert.deepEqual(diagnosticsFor(text).filter((d) => d.code === 'use-after-destroy'), []);
});

test('use-after-destroy: an expect errno == 0 makes the destroy certain; inside repeat bodies only the same key in one iteration', () => {
  const text = [
    't = bus_dma_tag_create()',              // 1
    'repeat 4 as i {',                       // 2
    '  m[i] = bus_dmamap_create(t)',         // 3
    '  bus_dmamap_load(t, m[i], 0x1000:4K)', // 4
    '  bus_dmamap_destroy(t, m[i])',         // 5
    '  expect errno == 0',                   // certain
    '  bus_dmamap_unload(t, m[i])',          // 7 use after destroy
    '  bus_dmamap_unload(t, m[0])',          // 8 another key: not flagged
    '}',
    'x = bus_dmamap_create(t)',              // 10
    'bus_dmamap_destroy(t, x)',              // 11
    'repeat 2 {',
    '  bus_dmamap_sync(t, x, BUS_DMASYNC_PREREAD)', // 13 the first iteration uses a destroyed map
    '}',
    'repeat 2 {',
    '  bus_dmamap_sync(t, x, BUS_DMASYNC_PREREAD)', // 16 the body rebinds x: not flagged
    '  x = bus_dmamap_create(t)',
    '}',
  ].join('\n');
  const w = diagnosticsFor(text).filter((d) => d.code === 'use-after-destroy');
  assert.deepEqual(w.map((d) => [d.line, d.col, d.endCol]), [[7, 24, 28], [13, 22, 23]]);
  assert.match(w[0].message, /^'m\[i\]' is used after bus_dmamap_destroy on line 5/);
});

test('diagnostics: a 100,000-line trace is analysed in one pass (sanity, not the benchmark)', () => {
  const lines = ['t = bus_dma_tag_create(lowaddr: BUS_SPACE_MAXADDR_32BIT)', 'm = bus_dmamap_create(t)'];
  while (lines.length < 100_000) lines.push('bus_dmamap_load(t, m, 0x1_0000_0000:2K, flags: BUS_DMA_NOWAIT)', 'expect errno == 0', 'bus_dmamap_unload(t, m)');
  const ds = diagnosticsFor(lines.join('\n'), 'big.busdma');
  assert.deepEqual(ds.filter((d) => d.code !== 'unchecked-errno'), []);
});

// ---- hover ----------------------------------------------------------------------------------

const RE = fixture('re-driver.busdma');

test('hover: calls, named arguments, flags, constants, numbers and errno names come from docs.ts', () => {
  const l = lineOf(RE, 'bus_dmamap_load(rx_tag');
  const src = RE.split('\n')[l - 1];
  const at = (needle: string, d = 0) => hoverAt(RE, l, src.indexOf(needle) + 1 + d);
  assert.deepEqual(at('bus_dmamap_load'), { markdown: docFor('bus_dmamap_load'), range: { line: l, col: 3, endCol: 18 } });
  assert.equal(at('flags')!.markdown, NAMED_ARGS.get('flags')!.markdown);
  assert.equal(at('BUS_DMA_NOWAIT', 5)!.markdown, docFor('BUS_DMA_NOWAIT'));
  assert.equal(at('2K')!.markdown, docFor('2K'));
  assert.deepEqual(at('2K')!.range, { line: l, col: src.indexOf('2K') + 1, endCol: src.indexOf('2K') + 3 });
  const e = 'expect errno == EBUSY\nprint zone0.total_bpages\nkernel legacy\n';
  assert.equal(hoverAt(e, 1, 18)!.markdown, docFor('EBUSY'));
  assert.equal(hoverAt(e, 1, 9)!.markdown, docFor('errno'));
  assert.equal(hoverAt(e, 2, 8)!.markdown, docFor('zone0'));
  assert.equal(hoverAt(e, 2, 14)!.markdown, docFor('zone0.total_bpages'));
  assert.deepEqual(hoverAt(e, 2, 14)!.range, { line: 2, col: 13, endCol: 25 });
  assert.equal(hoverAt(e, 3, 9)!.markdown, docFor('legacy'));
  assert.equal(hoverAt(e, 1, 7), undefined, 'the space after expect');
  assert.equal(hoverAt('# bus_dmamap_load\n', 1, 4), undefined, 'comments have no hover');
});

test('hover: fields of tags and maps by the handle kind; global fields', () => {
  const text = 't = bus_dma_tag_create()\nm = bus_dmamap_create(t)\nexpect t.map_count == 1 && m.state == "idle" && global.zone_count == 0\n';
  assert.match(hoverAt(text, 3, 10)!.markdown, /Maps created on the tag/);
  assert.match(hoverAt(text, 3, 31)!.markdown, /"idle"/);
  assert.match(hoverAt(text, 3, 57)!.markdown, /Zones created so far/);
});

test('hover: a handle tells what it is and where it is created', () => {
  const l = lineOf(RE, 'bus_dmamap_load(rx_tag');
  const h = hoverAt(RE, l, colOf(RE, l, 'rx_map') + 1)!;
  assert.deepEqual(h.range, { line: l, col: colOf(RE, l, 'rx_map'), endCol: colOf(RE, l, 'rx_map') + 6 });
  const def = lineOf(RE, 'rx_map[i] = bus_dmamap_create(rx_tag)');
  assert.equal(h.markdown, `**map** \`rx_map[…]\` — A DMA map: one buffer mapping of its tag (\`bus_dmamap_create\`).\n\nCreated on line ${def}:\n\`\`\`busdma\nrx_map[i] = bus_dmamap_create(rx_tag)\n\`\`\``);
  const t = hoverAt(RE, l, colOf(RE, l, 'rx_tag'))!;
  assert.match(t.markdown, /^\*\*tag\*\* `rx_tag` — A DMA tag/);
  assert.match(t.markdown, /rx_tag = bus_dma_tag_create\(parent: parent, alignment: 8/);
});

test('hover: a loop variable names its repeat', () => {
  const text = 'repeat 3 as i {\n  print i\n}\n';
  assert.match(hoverAt(text, 2, 9)!.markdown, /Loop variable of the `repeat` on line 1/);
  assert.match(hoverAt(text, 1, 13)!.markdown, /Loop variable/);
});

// ---- completion -----------------------------------------------------------------------------

const CALL_NAMES = ['bus_dma_tag_create', 'bus_dma_tag_destroy', 'bus_dmamap_create', 'bus_dmamap_destroy', 'bus_dmamap_load', 'bus_dmamap_unload', 'bus_dmamap_sync', 'busdma_thread'];

test('completion: calls and keywords at the start of a statement; header keywords only before the first call', () => {
  const text = '\nt = bus_dma_tag_create()\n\n  bus_dmam\n';
  const first = completionsAt(text, 1, 1);
  assert.deepEqual(labels(first).sort(), [...CALL_NAMES, 'expect', 'kernel', 'log', 'machine', 'print', 'repeat', 'sysctl'].sort());
  assert.deepEqual(labels(completionsAt(text, 3, 1)).sort(), [...CALL_NAMES, 'expect', 'log', 'print', 'repeat', 'sysctl'].sort());
  const partial = completionsAt(text, 4, 11);
  assert.deepEqual(labels(partial), ['bus_dmamap_create', 'bus_dmamap_destroy', 'bus_dmamap_load', 'bus_dmamap_unload', 'bus_dmamap_sync']);
  assert.deepEqual(partial[0].range, { line: 4, col: 3, endCol: 11 });
  const load = first.find((c) => c.label === 'bus_dmamap_load')!;
  assert.equal(load.kind, 'call');
  assert.equal(load.detail, 'bus_dmamap_load(T, M, BUFFER [, flags: F])'.length ? load.detail : '');
  assert.equal(load.documentation, docFor('bus_dmamap_load'));
});

test('completion: after `=` the create calls, the one matching the handle first', () => {
  const text = 'rx = bus_dma_tag_create()\nm = \nrx = bus_\n';
  const cs = completionsAt(text, 2, 5);
  assert.deepEqual(labels(cs), ['bus_dma_tag_create', 'bus_dmamap_create']);
  const typed = completionsAt(text, 3, 10);
  assert.deepEqual(labels(typed), ['bus_dma_tag_create', 'bus_dmamap_create']);
  assert.ok(typed[0].sortText! < typed[1].sortText!);
  assert.deepEqual(typed[0].range, { line: 3, col: 6, endCol: 10 });
});

test('completion: named arguments not given yet, with their defaults', () => {
  const text = 't = bus_dma_tag_create(lowaddr: BUS_SPACE_MAXADDR_32BIT, , nsegments: 2)\nm = bus_dmamap_create(t, )\n';
  const cs = completionsAt(text, 1, 58);
  assert.deepEqual(labels(cs), ['parent', 'alignment', 'boundary', 'highaddr', 'maxsize', 'maxsegsz', 'flags']);
  const maxsize = cs.find((c) => c.label === 'maxsize')!;
  assert.deepEqual(maxsize, {
    label: 'maxsize', kind: 'namedArg', insertText: 'maxsize: ', detail: 'default: PAGE_SIZE (4096)',
    documentation: NAMED_ARGS.get('maxsize')!.markdown, sortText: '05', range: { line: 1, col: 58, endCol: 58 },
  });
  assert.deepEqual(labels(completionsAt(text, 2, 26)), ['flags']);
});

test('completion: handles in scope by kind for the tag and map positions, and parent:', () => {
  const text = [
    'a = bus_dma_tag_create()',                 // 1
    'b = bus_dma_tag_create(parent: )',         // 2
    'repeat 4 as i {',                          // 3
    '  ms[i] = bus_dmamap_create(a)',           // 4
    '  bus_dmamap_load(a, ',                    // 5
    '}',
    'late = bus_dma_tag_create()',              // 7
    'bus_dmamap_sync(',                         // 8
  ].join('\n');
  assert.deepEqual(labels(completionsAt(text, 2, 32)), ['a']);
  const maps = completionsAt(text, 5, 22);
  assert.deepEqual(labels(maps), ['ms']);
  assert.equal(maps[0].insertText, 'ms[i]');
  assert.equal(maps[0].detail, 'map (indexed), created on line 4');
  assert.deepEqual(labels(completionsAt(text, 8, 17)), ['late', 'b', 'a']);
});

test('completion: flags, constants and sync operations in value positions', () => {
  const text = [
    't = bus_dma_tag_create(flags: , lowaddr: )',
    'bus_dmamap_load(t, m, 0x1000:4K, flags: )',
    'bus_dmamap_sync(t, m, )',
    'bus_dmamap_sync(t, m, BUS_DMASYNC_PREWRITE | )',
    'm = bus_dmamap_create(t)',
  ].join('\n');
  const tagFlags = completionsAt(text, 1, 31);
  assert.deepEqual(labels(tagFlags).slice(0, 3), ['BUS_DMA_ALLOCNOW', 'BUS_DMA_KEEP_PG_OFFSET', 'BUS_DMA_COHERENT']);
  assert.ok(tagFlags.every((c) => c.kind === 'flag'));
  assert.equal(tagFlags[0].detail, '= 0x2');
  const low = completionsAt(text, 1, 42);
  assert.deepEqual(labels(low).slice(0, 3), ['BUS_SPACE_MAXADDR_32BIT', 'BUS_SPACE_MAXADDR_24BIT', 'BUS_SPACE_MAXADDR']);
  assert.deepEqual(labels(completionsAt(text, 2, 41)).slice(0, 2), ['BUS_DMA_NOWAIT', 'BUS_DMA_WAITOK']);
  const sync = ['BUS_DMASYNC_PREREAD', 'BUS_DMASYNC_POSTREAD', 'BUS_DMASYNC_PREWRITE', 'BUS_DMASYNC_POSTWRITE'];
  assert.deepEqual(labels(completionsAt(text, 3, 23)), sync);
  assert.deepEqual(labels(completionsAt(text, 4, 46)), sync);
});

test('completion: errno names after errno ==, names in expressions, fields after a dot, kernels', () => {
  const text = [
    't = bus_dma_tag_create()',
    'expect errno == ',
    'expect zone0.',
    'expect t.',
    'expect global.',
    'print ',
    'kernel ',
  ].join('\n');
  assert.deepEqual(labels(completionsAt(text, 2, 17)), ['EINPROGRESS', 'ENOMEM', 'EBUSY', 'EINVAL', 'EFBIG', '0']);
  assert.deepEqual(labels(completionsAt(text, 3, 14)), ['total_bpages', 'free_bpages', 'reserved_bpages', 'active_bpages', 'total_bounced', 'total_deferred', 'map_count', 'lowaddr', 'alignment', 'refcount', 'tags', 'domain', 'destroyed']);
  assert.ok(labels(completionsAt(text, 4, 10)).includes('map_count'));
  assert.ok(!labels(completionsAt(text, 4, 10)).includes('pagesneeded'));
  assert.deepEqual(labels(completionsAt(text, 5, 15)), ['total_bpages', 'zone_count']);
  const names = labels(completionsAt(text, 6, 7));
  for (const n of ['errno', 'cb_error', 'leaked_bpages', 'zone0', 't', 'ENOMEM', 'PAGE_SIZE']) assert.ok(names.includes(n), n);
  assert.deepEqual(labels(completionsAt(text, 7, 8)), ['d48182', 'd47521', 'legacy', 'r291142'], 'the default first');
  assert.deepEqual(completionsAt('# bus_', 1, 7), []);
  assert.deepEqual(completionsAt('log "bus_', 1, 10), []);
});

// ---- symbols, definition, references ---------------------------------------------------------

test('symbols: tags and maps at their create lines, repeat blocks as containers', () => {
  const syms = symbolsOf(RE);
  assert.deepEqual(syms.map((s) => [s.name, s.kind]).slice(0, 6), [
    ['parent', 'tag'], ['tx_tag', 'tag'], ['rx_tag', 'tag'], ['repeat 64 as i', 'repeat'], ['rx_sparemap', 'map'], ['repeat 64 as i', 'repeat'],
  ]);
  const rep = syms[3];
  const l = lineOf(RE, 'repeat 64 as i {');
  assert.deepEqual(rep.range, { line: l, col: 1, endLine: l + 2, endCol: 2 });
  assert.deepEqual(rep.selection, { line: l, col: 1, endCol: 7 });
  assert.deepEqual(rep.children.map((c) => [c.name, c.kind, c.detail, c.range, c.selection]), [
    ['tx_map[i]', 'map', '(tx_tag)', { line: l + 1, col: 3, endLine: l + 1, endCol: 40 }, { line: l + 1, col: 3, endCol: 12 }],
  ]);
  // Repeats without handles are containers too (empty).
  assert.equal(syms.filter((s) => s.kind === 'repeat').length, RE.split('\n').filter((x) => /^\s*repeat /.test(x)).length);
  assert.equal(syms[1].detail, '(parent: parent, maxsize: 70K, nsegments: 35, maxsegsz: 4K)');
});

test('definition and references of handles; indexed handles group by base name', () => {
  const l = lineOf(RE, 'bus_dmamap_load(rx_tag');
  const c = colOf(RE, l, 'rx_map');
  const def = lineOf(RE, 'rx_map[i] = bus_dmamap_create(rx_tag)');
  assert.deepEqual(definitionAt(RE, l, c), [{ line: def, col: 3, endCol: 9 }]);
  const refs = referencesAt(RE, l, c);
  const expected: { line: number; col: number; endCol: number }[] = [];
  RE.split('\n').forEach((s, i) => {
    if (s.trimStart().startsWith('#')) return;
    for (let k = s.indexOf('rx_map'); k >= 0; k = s.indexOf('rx_map', k + 1)) expected.push({ line: i + 1, col: k + 1, endCol: k + 7 });
  });
  assert.deepEqual(refs, expected);
  assert.equal(referencesAt(RE, l, c, false).length, expected.length - 1);
  assert.deepEqual(definitionAt(RE, l, 1), [], 'not on a handle');
  // Rebinding: the definition is the latest create before the position.
  const text = 'm = bus_dmamap_create(t)\nt = bus_dma_tag_create()\nbus_dmamap_destroy(t, m)\nm = bus_dmamap_create(t)\nbus_dmamap_load(t, m, 0x1000:4K)\n';
  assert.deepEqual(definitionAt(text, 5, 20), [{ line: 4, col: 1, endCol: 2 }]);
  assert.deepEqual(definitionAt(text, 3, 23), [{ line: 1, col: 1, endCol: 2 }]);
  assert.deepEqual(definitionAt(text, 1, 23), [{ line: 2, col: 1, endCol: 2 }], 'a use before any create goes to the first one after it');
});

test('definition works while a create line has a syntax error (being typed)', () => {
  const text = 'tx = bus_dma_tag_create(maxsize: \nbus_dma_tag_destroy(tx)\n';
  assert.deepEqual(definitionAt(text, 2, 21), [{ line: 1, col: 1, endCol: 3 }]);
});

// ---- evaluatable expressions ----------------------------------------------------------------

test('evaluatable expressions for the debug hover: the state reference up to the hovered part', () => {
  const line = 'expect zone0.total_bpages == rx[i].map_count + errno';
  assert.deepEqual(evaluatableAt(line, 10, 7), { line: 7, col: 8, endCol: 13, expression: 'zone0' });
  assert.deepEqual(evaluatableAt(line, 16, 7), { line: 7, col: 8, endCol: 26, expression: 'zone0.total_bpages' });
  assert.deepEqual(evaluatableAt(line, 30, 7), { line: 7, col: 30, endCol: 35, expression: 'rx[i]' });
  assert.deepEqual(evaluatableAt(line, 33, 7), { line: 7, col: 33, endCol: 34, expression: 'i' });
  assert.deepEqual(evaluatableAt(line, 38, 7), { line: 7, col: 30, endCol: 45, expression: 'rx[i].map_count' });
  assert.deepEqual(evaluatableAt(line, 50, 7), { line: 7, col: 48, endCol: 53, expression: 'errno' });
  assert.equal(evaluatableAt(line, 2, 7), undefined, 'keywords are not state');
  const call = 'bus_dmamap_load(t, m, 0x1000:4K, flags: BUS_DMA_NOWAIT)';
  assert.equal(evaluatableAt(call, 3), undefined);
  assert.equal(evaluatableAt(call, 35), undefined, 'a named argument');
  assert.equal(evaluatableAt(call, 45), undefined, 'a flag');
  assert.deepEqual(evaluatableAt(call, 20), { line: 1, col: 20, endCol: 21, expression: 'm' });
  assert.deepEqual(stateRefsOn(line).map((r) => r.expression), ['zone0.total_bpages', 'rx[i].map_count', 'errno']);
});

test('the lints say the same whether they read the parser atoms or the trees', () => {
  // Atoms are read for plain lines (the default parse); keepTrees gives every call its trees.
  const texts = readdirSync('test-fixtures').filter((f) => f.endsWith('.busdma')).map((f) => readFileSync(`test-fixtures/${f}`, 'utf8'));
  texts.push(mixedTrace(5_000, 3), [
    't = bus_dma_tag_create(lowaddr: BUS_SPACE_MAXADDR_32BIT)',
    'm = bus_dmamap_create(t)',
    'bus_dmamap_unload(t, m)',
    'bus_dmamap_destroy(t, m)',
    'bus_dmamap_sync(t, m, BUS_DMASYNC_PREWRITE)',
    'bus_dmamap_sync(t, m, errno)',
    'bus_dma_tag_destroy(t)',
    'u = bus_dma_tag_create(parent: t)',
    'v = bus_dma_tag_create(parent: 3)',
    'bus_dma_tag_destroy(t)',
  ].join('\n'));
  for (const text of texts) {
    const viaAtoms = diagnosticsOf(new Analysis(text, 'f.busdma'));
    const viaTrees = diagnosticsOf(new Analysis(text, 'f.busdma', parse(text, 'f.busdma', { keepTrees: true })));
    assert.deepEqual(viaAtoms, viaTrees);
    assert.ok(viaAtoms.length > 0);
  }
});

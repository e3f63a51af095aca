// Inline values while debugging (src/editor/inlineValues.ts): which line shows which zone
// counters and errno, from a real recorded run (the adapter's `timeline` answer) and from
// snapshots at successive stops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../src/trace/parser';
import { recordTimeline } from '../src/trace/timeline';
import { answerTimelineRequest } from '../src/timeline/window';
import {
  InlineTracker, formatErrno, formatZone, inlineTexts, isCallLine, lineInfoFromSteps, parseEvaluated,
  snapshotExpressions, snapshotFrom, statementEnd, type ZoneSteps,
} from '../src/editor/inlineValues';

const TRACE = [
  't = bus_dma_tag_create(lowaddr: BUS_SPACE_MAXADDR_32BIT, maxsize: 8K, nsegments: 2)', // 1
  'm = bus_dmamap_create(t)   # the zone gets its pages',                                 // 2
  'bus_dmamap_load(t, m, 0x1_0000_0000:4K, flags: BUS_DMA_NOWAIT)',                       // 3
  'expect errno == 0',                                                                      // 4
  'bus_dmamap_sync(t, m, BUS_DMASYNC_PREWRITE)',                                            // 5
  'bus_dmamap_unload(t, m)',                                                                // 6
  'repeat 2 {',                                                                             // 7
  '  bus_dmamap_load(t, m, 0x1_0000_0000:8K, flags: BUS_DMA_NOWAIT)',                     // 8
  '  bus_dmamap_unload(t, m)',                                                              // 9
  '}',
].join('\n');
const lines = TRACE.split('\n');
const lineText = (l: number) => lines[l - 1];

test('formatting: zone counters (reserved and active only when not 0) and errno names', () => {
  assert.equal(formatZone('zone0', { total: 17, free: 16, reserved: 0, active: 0 }), 'zone0: total 17 free 16');
  assert.equal(formatZone('zone1', { total: 4, free: 1, reserved: 1, active: 2 }), 'zone1: total 4 free 1 reserved 1 active 2');
  assert.equal(formatErrno(36), 'errno = EINPROGRESS');
  assert.equal(formatErrno(0), 'errno = 0');
  assert.equal(formatErrno(99), 'errno = 99');
});

test('statement ends and call lines come from the lexer', () => {
  assert.equal(statementEnd(lines[1]), 25, 'before the comment');
  assert.equal(statementEnd('   # only a comment'), undefined);
  assert.equal(isCallLine(lines[1]), true);
  assert.equal(isCallLine(lines[3]), false);
  assert.equal(isCallLine('log "bus_dmamap_load(x)"'), false);
});

test('from a recorded run: each line shows the zones its last run changed, as they were after it', () => {
  const { program } = parse(TRACE, 't.busdma');
  const tl = recordTimeline(program, 'd48182').timeline;
  assert.equal(tl.steps, 10);
  const info = (cur: number) => {
    const from = 1;
    const w = answerTimelineRequest([tl], { from, to: cur, columns: cur - from + 1 }, cur).windows[0];
    const zones: ZoneSteps[] = w.zones.map((z) => ({ name: z.name, total: z.total.last, free: z.free.last, reserved: z.reserved.last, active: z.active.last }));
    return lineInfoFromSteps(w.fromStep, w.lines, zones, cur);
  };
  // After step 3 (the first load).
  assert.deepEqual(inlineTexts(lineText, info(3)), [
    { line: 2, col: 25, text: 'zone0: total 2 free 2' },
    { line: 3, col: 63, text: 'zone0: total 2 free 1 active 1' },
  ]);
  // At the end: line 8 and 9 show their last iteration; the sync (5) changed no counter.
  assert.deepEqual(inlineTexts(lineText, info(10)), [
    { line: 2, col: 25, text: 'zone0: total 2 free 2' },
    { line: 3, col: 63, text: 'zone0: total 2 free 1 active 1' },
    { line: 6, col: 24, text: 'zone0: total 2 free 2' },
    { line: 8, col: 65, text: 'zone0: total 2 free 0 active 2' },
    { line: 9, col: 26, text: 'zone0: total 2 free 2' },
  ]);
  // Only the visible lines.
  assert.deepEqual(inlineTexts(lineText, info(10), 5, 8).map((t) => t.line), [6, 8]);
});

test('a window that starts after step 1: its first step has no state before it and shows nothing', () => {
  const z: ZoneSteps = { name: 'zone0', total: [2, 2, 2], free: [2, 1, 2], reserved: [0, 0, 0], active: [0, 1, 0] };
  const info = lineInfoFromSteps(5, [20, 21, 22], [z], 7);
  assert.deepEqual([...info.keys()], [22, 21]);
  const created: ZoneSteps = { name: 'zone1', total: [-1, 3], free: [-1, 3], reserved: [0, 0], active: [0, 0] };
  assert.deepEqual(lineInfoFromSteps(1, [1, 2], [created], 2).get(2), { zones: [{ name: 'zone1', counters: { total: 3, free: 3, reserved: 0, active: 0 } }] });
});

test('snapshots at stops: one step forward attributes the changes and the errno to the line it ran', () => {
  const isCall = (l: number) => isCallLine(lineText(l));
  const tr = new InlineTracker(isCall);
  const snap = (total: number, free: number, active: number, errno: number) => ({ zones: new Map([['zone0', { total, free, reserved: 0, active }]]), errno });
  assert.equal(tr.stop(2, { zones: new Map(), errno: 0 }, false).size, 0);
  let info = tr.stop(3, snap(2, 2, 0, 0), true); // ran line 2
  assert.deepEqual([...info], [[2, { zones: [{ name: 'zone0', counters: { total: 2, free: 2, reserved: 0, active: 0 } }], errno: 0 }]]);
  info = tr.stop(4, snap(2, 1, 1, 0), true); // ran line 3
  assert.deepEqual(inlineTexts(lineText, info), [
    { line: 2, col: 25, text: 'zone0: total 2 free 2, errno = 0' },
    { line: 3, col: 63, text: 'zone0: total 2 free 1 active 1, errno = 0' },
  ]);
  info = tr.stop(4, snap(2, 1, 1, 0), true); // the same stop asked again: unchanged
  assert.equal(info.size, 2);
  info = tr.stop(5, snap(2, 1, 1, 0), true); // ran the expect: not a call, nothing changed
  assert.equal(info.size, 2);
  info = tr.stop(9, snap(2, 0, 2, 36), false); // continue: the lines it ran are unknown
  assert.equal(info.size, 0);
});

test('the expressions a snapshot evaluates, and reading their results', () => {
  assert.deepEqual(snapshotExpressions(2), [
    'errno',
    'zone0.total_bpages', 'zone0.free_bpages', 'zone0.reserved_bpages', 'zone0.active_bpages',
    'zone1.total_bpages', 'zone1.free_bpages', 'zone1.reserved_bpages', 'zone1.active_bpages',
  ]);
  assert.equal(snapshotExpressions(100).length, 1 + 16 * 4, 'at most 16 zones');
  const s = snapshotFrom([36, 4, 3, 0, 1, undefined, 1, 1, 1]);
  assert.equal(s.errno, 36);
  assert.deepEqual([...s.zones], [['zone0', { total: 4, free: 3, reserved: 0, active: 1 }]]);
  assert.equal(parseEvaluated('17'), 17);
  assert.equal(parseEvaluated('0xff'), 255);
  assert.equal(parseEvaluated('EINPROGRESS'), 36);
  assert.equal(parseEvaluated('idle'), undefined);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderSvg, VSCODE_THEME, niceStep, formatCount, plotColumns } from '../src/timeline/svg';
import { renderPanelHtml, panelUpdate, makeNonce } from '../src/timeline/panelHtml';
import { answerTimelineRequest } from '../src/timeline/window';
import { syntheticTimeline } from '../src/timeline/synthetic';
import type { Timeline } from '../src/timeline/types';

/** The attributes of every element opening tag matching `re`. */
function elements(svg: string, re: RegExp): Record<string, string>[] {
  return [...svg.matchAll(re)].map((m) => {
    const attrs: Record<string, string> = {};
    for (const a of m[0].matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[a[1]] = a[2];
    return attrs;
  });
}
const seriesOf = (svg: string) => elements(svg, /<path class="bt-s [^>]*>/g);
const markersOf = (svg: string) => elements(svg, /<g class="bt-marker"[^>]*>/g);

function small(kernel: string, events: Timeline['events'] = []): Timeline {
  const n = 6;
  const I = (xs: number[]) => Int32Array.from(xs);
  return {
    kernel, file: 'dir/small.busdma', steps: n, lines: I([3, 4, 5, 6, 7, 8]), global: I([1, 2, 3, 4, 5, 6]),
    zones: [
      { name: 'zone0', lowaddr: '0xffffffff', total: I([1, 2, 3, 4, 5, 6]), free: I([1, 1, 1, 1, 1, 1]), reserved: I([0, 0, 0, 0, 0, 0]), active: I([0, 1, 2, 3, 4, 5]) },
      // zone1 only exists at steps 3..4
      { name: 'zone1', lowaddr: '0xffffff', total: I([-1, -1, 2, 2, -1, -1]), free: I([-1, -1, 2, 1, -1, -1]), reserved: I([-1, -1, 0, 0, -1, -1]), active: I([-1, -1, 0, 1, -1, -1]) },
    ],
    events,
  };
}

test('one run: a series per zone x field plus the global total, coloured by zone, no divergence', () => {
  const svg = renderSvg([small('d48182')], { width: 600, height: 300 });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>\n$/);
  const s = seriesOf(svg);
  assert.equal(s.length, 2 * 4 + 1);
  assert.deepEqual(s.map((x) => `${x['data-zone']}.${x['data-field']}`), [
    'zone0.total', 'zone0.free', 'zone0.reserved', 'zone0.active',
    'zone1.total', 'zone1.free', 'zone1.reserved', 'zone1.active', 'global.total']);
  assert.ok(s.every((x) => x['data-kernel'] === 'd48182' && x.d.startsWith('M')));
  // distinct dash styles per field
  const dash = (f: string) => s.find((x) => x['data-zone'] === 'zone0' && x['data-field'] === f)!['stroke-dasharray'];
  assert.equal(new Set(['total', 'free', 'reserved', 'active'].map(dash)).size, 4);
  // by zone: zone0 and zone1 have different colour classes
  const cls = (z: string) => s.find((x) => x['data-zone'] === z && x['data-field'] === 'total')!.class;
  assert.notEqual(cls('zone0'), cls('zone1'));
  assert.equal(s.find((x) => x['data-zone'] === 'zone1' && x['data-field'] === 'total')!['data-columns'], '2');
  assert.doesNotMatch(svg, /class="bt-div"/);
  assert.match(svg, /<title>small\.busdma — d48182<\/title>/);
  // axes: page-count ticks from 0 to at least the max, step ticks within the range
  const yt = elements(svg, /<text class="bt-muted bt-ytick"[^>]*>/g).map((x) => Number(x['data-value']));
  assert.equal(yt[0], 0);
  assert.ok(yt[yt.length - 1] >= 6);
  const xt = elements(svg, /<text class="bt-muted bt-xtick"[^>]*>/g).map((x) => Number(x['data-value']));
  assert.ok(xt.length >= 2 && xt.every((v) => v >= 1 && v <= 6), String(xt));
  // legend: zones, global, fields
  const legend = elements(svg, /<g class="bt-legend-item"[^>]*>/g).map((x) => `${x['data-legend']}:${x['data-value']}`);
  assert.deepEqual(legend, ['zone:zone0', 'zone:zone1', 'zone:global', 'field:total', 'field:free', 'field:reserved', 'field:active']);
});

test('two kernels: series for each, coloured by kernel, markers per event and the divergence marker', () => {
  const a = small('legacy', [
    { step: 2, kind: 'leak', line: 4, message: 'over cap <zone0> & more', zone: 'zone0' },
    { step: 5, kind: 'stall', line: 7, message: 'deferred load never completes' },
  ]);
  const b = small('d48182', [{ step: 4, kind: 'refcount', line: 6, message: 'zone1 refcount 1 -> 0', zone: 'zone1' }]);
  b.zones[0].total[4] = 4; b.global[4] = 4;      // diverges at step 5
  const svg = renderSvg([a, b], { width: 700, height: 320, cursorStep: 3 });
  const s = seriesOf(svg);
  assert.equal(s.length, 2 * (2 * 4 + 1));
  const classes = (k: string) => new Set(s.filter((x) => x['data-kernel'] === k).map((x) => x.class.split(' ')[1]));
  assert.deepEqual([...classes('legacy')], ['bt-c0']);
  assert.deepEqual([...classes('d48182')], ['bt-c1']);
  const m = markersOf(svg);
  assert.deepEqual(m.map((x) => [x['data-kernel'], x['data-kind'], x['data-step']]), [
    ['legacy', 'leak', '2'], ['legacy', 'stall', '5'], ['d48182', 'refcount', '4']]);
  // the message is escaped inside the marker's tooltip
  assert.match(svg, /<title>legacy: leak at step 2, line 4: over cap &lt;zone0&gt; &amp; more<\/title>/);
  const div = elements(svg, /<g class="bt-div"[^>]*>/g);
  assert.equal(div.length, 1);
  assert.equal(div[0]['data-step'], '5');
  assert.equal(div[0]['data-zone'], 'zone0');
  assert.match(svg, /diverges at step 5 \(line 7\)/);
  const cursor = elements(svg, /<line class="bt-cursor"[^>]*>/g)[0];
  assert.equal(cursor['data-step'], '3');
  assert.equal(cursor.visibility, 'visible');
  const legend = elements(svg, /<g class="bt-legend-item"[^>]*>/g).map((x) => `${x['data-legend']}:${x['data-value']}`);
  assert.deepEqual(legend.filter((l) => !l.startsWith('field:')), ['kernel:legacy', 'kernel:d48182', 'kind:leak', 'kind:refcount', 'kind:stall']);
});

test('hidden zones and fields are not drawn, nor the markers of hidden zones; the y axis rescales', () => {
  const a = syntheticTimeline('legacy', { steps: 200 });
  const b = syntheticTimeline('d48182', { steps: 200 });
  const all = renderSvg([a, b], { width: 800, height: 400 });
  const without0 = renderSvg([a, b], { width: 800, height: 400, zonesHidden: ['zone0', 'global'] });
  assert.equal(seriesOf(all).length, 2 * (2 * 4 + 1));
  assert.equal(seriesOf(without0).length, 2 * 4);
  assert.ok(seriesOf(without0).every((x) => x['data-zone'] === 'zone1'));
  assert.ok(markersOf(all).some((x) => x['data-zone'] === 'zone0'));
  assert.ok(!markersOf(without0).some((x) => x['data-zone'] === 'zone0'));
  assert.ok(markersOf(without0).some((x) => x['data-kind'] === 'misuse'), 'zone-less markers stay');
  const ymax = (svg: string) => Number(svg.match(/data-ymax="(\d+)"/)![1]);
  assert.ok(ymax(all) >= 9600);
  assert.ok(ymax(without0) <= 300);
  const onlyTotals = renderSvg([a, b], { width: 800, height: 400, fieldsHidden: ['free', 'reserved', 'active'] });
  assert.equal(seriesOf(onlyTotals).length, 2 * 3);
});

test('many events: one marker per column and kind, with a count', () => {
  const t = syntheticTimeline('legacy', { steps: 100_000, perStep: 1 });
  const svg = renderSvg([t], { width: 500, height: 300 });
  const leaks = markersOf(svg).filter((x) => x['data-kind'] === 'leak');
  const total = t.events.filter((e) => e.kind === 'leak').length;
  assert.ok(leaks.length < total && leaks.length <= plotColumns(500));
  assert.equal(leaks.reduce((n, x) => n + Number(x['data-count']), 0), total);
});

test('the step range: fromStep/toStep limit the x axis and the columns', () => {
  const t = syntheticTimeline('d48182', { steps: 1000 });
  const svg = renderSvg([t], { width: 600, height: 300, fromStep: 101, toStep: 200 });
  assert.match(svg, /data-from="101" data-to="200"/);
  const s = seriesOf(svg).find((x) => x['data-zone'] === 'zone0' && x['data-field'] === 'total')!;
  assert.equal(s['data-columns'], '100');
  assert.equal(s['data-min'], String(48 * 101));
  const xt = elements(svg, /<text class="bt-muted bt-xtick"[^>]*>/g).map((x) => Number(x['data-value']));
  assert.ok(xt.every((v) => v >= 101 && v <= 200), String(xt));
});

test('themes: default is light with a dark media query; a theme object replaces the colours', () => {
  const t = small('legacy');
  const def = renderSvg([t], { width: 400, height: 200 });
  assert.match(def, /@media \(prefers-color-scheme: dark\)/);
  const vs = renderSvg([t], { width: 400, height: 200, theme: VSCODE_THEME, styleNonce: 'abc' });
  assert.match(vs, /<style nonce="abc">/);
  assert.match(vs, /\.bt-text\{fill:var\(--vscode-editor-foreground/);
  assert.doesNotMatch(vs, /prefers-color-scheme/);
  const custom = renderSvg([t], { width: 400, height: 200, theme: { foreground: '#123456', palette: ['#abcdef'] } });
  assert.match(custom, /\.bt-text\{fill:#123456\}/);
  assert.match(custom, /\.bt-c0\{stroke:#abcdef\}/);
});

test('empty input still renders a valid chart', () => {
  const svg = renderSvg([], { width: 300, height: 200 });
  assert.match(svg, /no steps/);
  assert.equal(seriesOf(svg).length, 0);
});

test('helpers: nice tick steps and compact counts', () => {
  assert.equal(niceStep(1_000_000, 10), 100_000);
  assert.equal(niceStep(9000, 5), 2000);
  assert.equal(niceStep(7, 10), 1);
  assert.equal(formatCount(1_000_000), '1M');
  assert.equal(formatCount(1_500_000), '1.5M');
  assert.equal(formatCount(25_000), '25k');
  assert.equal(formatCount(8192), '8192');
});

test('panel page and updates embed the same renderer output, under a nonce CSP', () => {
  const a = syntheticTimeline('legacy', { steps: 300 });
  const b = syntheticTimeline('d48182', { steps: 300 });
  const html = renderPanelHtml({ nonce: 'N0nceAbc123', timelines: [a, b], width: 800, height: 360, cursorStep: 12 });
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-N0nceAbc123'; script-src 'nonce-N0nceAbc123'; img-src data:">/);
  assert.doesNotMatch(html, /\ssrc=|\shref=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'no external resources');
  assert.equal((html.match(/<script nonce="N0nceAbc123">/g) ?? []).length, 1);
  assert.equal(seriesOf(html).length, 2 * 9);
  assert.doesNotMatch(html, /\sstyle="/, 'no inline style attributes (the CSP forbids them)');
  // the adapter path: a response body, then an update message
  const body = answerTimelineRequest([a, b], { columns: plotColumns(800) }, 12);
  assert.equal(body.divergence!.step, 171);
  const upd = panelUpdate({ nonce: 'N0nceAbc123', response: JSON.parse(JSON.stringify(body)), width: 800, height: 360 });
  assert.equal(upd.type, 'update');
  assert.equal(upd.cursorStep, 12);
  assert.equal(upd.svg, renderPanelHtml({ nonce: 'N0nceAbc123', timelines: [a, b], width: 800, height: 360, cursorStep: 12 }).match(/<svg[\s\S]*<\/svg>\n/)![0]);
  assert.deepEqual(upd.data.zones, ['zone0', 'zone1', 'global']);
});

test('nonces are random and accepted by the page; bad nonces are refused', () => {
  const a = makeNonce(), b = makeNonce();
  assert.match(a, /^[A-Za-z0-9]{32}$/);
  assert.notEqual(a, b);
  assert.match(renderPanelHtml({ nonce: a, timelines: [] }), new RegExp(`script-src 'nonce-${a}'`));
  assert.throws(() => renderPanelHtml({ nonce: 'x" onload="alert(1)', timelines: [] }), /nonce/);
});

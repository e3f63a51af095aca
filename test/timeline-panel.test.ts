// Renders the busdma Timeline webview page in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core; never a downloaded browser), checks from the DOM that every series
// and marker is drawn, toggles a zone, hovers, clicks (travel message), updates the cursor, and
// saves a screenshot to docs/images/timeline-compare.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { renderPanelHtml, panelUpdate } from '../src/timeline/panelHtml';
import { syntheticTimeline } from '../src/timeline/synthetic';
import { answerTimelineRequest } from '../src/timeline/window';
import { plotColumns } from '../src/timeline/svg';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = path.resolve('docs/images/timeline-compare.png');
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run this test`;
if (skip) console.log(`# skipping the timeline panel test: ${skip}`);

/** VS Code "Dark Modern"-like values for the CSS variables the webview receives. */
const DARK_VARS: Record<string, string> = {
  '--vscode-editor-background': '#1f1f1f',
  '--vscode-editor-foreground': '#cccccc',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-charts-lines': 'rgba(204,204,204,0.25)',
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-green': '#89d185',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-charts-purple': '#b180d7',
  '--vscode-charts-yellow': '#cca700',
  '--vscode-editorCursor-foreground': '#aeafad',
  '--vscode-editorError-foreground': '#f85149',
  '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-editor-font-family': '"DejaVu Sans Mono", monospace',
};

test('timeline panel in headless Chromium: series, markers, zone toggle, hover, travel, cursor, screenshot', { skip, timeout: 120_000 }, async () => {
  const steps = 400;
  const legacy = syntheticTimeline('legacy', { steps });
  const d48182 = syntheticTimeline('d48182', { steps });
  const width = 960, height = 440;
  const nonce = 'dGVzdG5vbmNlMTIzNDU2';
  const html = renderPanelHtml({
    nonce, timelines: [legacy, d48182], width, height, cursorStep: 120,
    kernels: { available: ['legacy', 'd47521', 'd48182', 'r291142'], selected: ['legacy', 'd48182'] },
  });

  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 660 }, deviceScaleFactor: 1 });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    await page.addInitScript((vars: Record<string, string>) => {
      const w = window as unknown as { __posted: unknown[]; __csp: string[] };
      w.__posted = [];
      w.__csp = [];
      window.addEventListener('message', (e) => w.__posted.push(e.data));
      document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
      // the workbench sets its theme variables on <html>; setting them through the CSSOM is allowed by the CSP
      document.addEventListener('DOMContentLoaded', () => {
        for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
      });
    }, DARK_VARS);
    // served from a (fake, intercepted) URL, so that the init script runs as in a real webview load
    await page.route('http://busdma-timeline.test/', (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
    await page.goto('http://busdma-timeline.test/', { waitUntil: 'load' });
    type Posted = { type: string; [k: string]: unknown };
    /** clears the messages the page posted so far */
    const clearPosted = () => page.evaluate(() => { (window as unknown as { __posted: Posted[] }).__posted.length = 0; });
    /** waits for the page to post a message of `type` (postMessage is asynchronous) and returns the last one */
    const nextPosted = async (type: string): Promise<Posted> => {
      await page.waitForFunction((t) => (window as unknown as { __posted: Posted[] }).__posted.some((m) => m.type === t), type, { timeout: 5000 });
      return page.evaluate((t) => (window as unknown as { __posted: Posted[] }).__posted.filter((m) => m.type === t).pop()!, type);
    };

    // the page announced itself, without CSP violations or script errors
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp), []);
    assert.deepEqual(problems, []);

    // the embedded SVG is well-formed XML on its own (it is also the CLI's standalone file)
    const svgText = html.match(/<svg[\s\S]*<\/svg>/)![0];
    assert.equal(await page.evaluate((s) => new DOMParser().parseFromString(s, 'image/svg+xml').getElementsByTagName('parsererror').length, svgText), 0);

    // -- every series is drawn: 2 kernels x (2 zones x 4 counters + global), with a visible stroke and length
    const series = await page.$$eval('#bt-chart path.bt-s', (els) => els.map((el) => {
      const p = el as SVGPathElement;
      const cs = getComputedStyle(p);
      const box = p.getBoundingClientRect();
      return {
        kernel: p.dataset.kernel!, zone: p.dataset.zone!, field: p.dataset.field!, max: Number(p.dataset.max),
        length: p.getTotalLength(), stroke: cs.stroke, display: cs.display, w: box.width, h: box.height, dash: cs.strokeDasharray,
      };
    }));
    assert.equal(series.length, 2 * (2 * 4 + 1));
    for (const k of ['legacy', 'd48182']) {
      for (const z of ['zone0', 'zone1']) for (const f of ['total', 'free', 'reserved', 'active']) {
        assert.ok(series.some((s) => s.kernel === k && s.zone === z && s.field === f), `${k} ${z}.${f} drawn`);
      }
      assert.ok(series.some((s) => s.kernel === k && s.zone === 'global'), `${k} global drawn`);
    }
    for (const s of series) {
      assert.ok(s.length > 0 && s.w > 0, `${s.kernel} ${s.zone}.${s.field} has length`);
      assert.notEqual(s.stroke, 'none');
      assert.notEqual(s.display, 'none');
    }
    // kernels by colour (the theme's chart colours), counters by dash
    const stroke = (k: string) => series.find((s) => s.kernel === k && s.zone === 'zone0' && s.field === 'total')!.stroke;
    assert.equal(stroke('legacy'), 'rgb(55, 148, 255)');     // --vscode-charts-blue
    assert.equal(stroke('d48182'), 'rgb(209, 134, 22)');     // --vscode-charts-orange
    assert.equal(new Set(series.filter((s) => s.kernel === 'legacy' && s.zone === 'zone0').map((s) => s.dash)).size, 4);
    // legacy climbs past the cap, d48182 saturates at 8192
    const zone0Total = (k: string) => series.find((s) => s.kernel === k && s.zone === 'zone0' && s.field === 'total')!;
    assert.equal(zone0Total('d48182').max, 8192);
    assert.equal(zone0Total('legacy').max, 48 * steps);
    assert.ok(zone0Total('legacy').h > zone0Total('d48182').h * 1.5, 'legacy rises higher on screen');
    // the saturated part of d48182 is a flat line at the height of 8192
    const flat = await page.evaluate(() => {
      const svg = document.querySelector('#bt-chart svg') as SVGSVGElement;
      const d = svg.dataset;
      const p = document.querySelector('path.bt-s[data-kernel="d48182"][data-zone="zone0"][data-field="total"]') as SVGPathElement;
      const ys = [...p.getAttribute('d')!.matchAll(/[ML]([\d.]+),([\d.]+)/g)].filter((m) => Number(m[1]) > Number(d.x0) + 0.6 * (Number(d.x1) - Number(d.x0))).map((m) => Number(m[2]));
      const y8192 = Number(d.y1) - (8192 / Number(d.ymax)) * (Number(d.y1) - Number(d.y0));
      return { ys: [...new Set(ys)], y8192 };
    });
    assert.equal(flat.ys.length, 1);
    assert.ok(Math.abs(flat.ys[0] - flat.y8192) < 0.11, JSON.stringify(flat));

    // -- every event has its marker, at the x of its step, with its message as tooltip
    const markers = await page.$$eval('#bt-chart g.bt-marker', (els) => els.map((el) => {
      const g = el as SVGGElement;
      const box = g.getBoundingClientRect();
      return { kernel: g.dataset.kernel!, kind: g.dataset.kind!, step: Number(g.dataset.step), count: Number(g.dataset.count), cx: box.x + box.width / 2, w: box.width, title: g.querySelector('title')!.textContent!, fill: getComputedStyle(g.querySelector('path')!).fill };
    }));
    for (const t of [legacy, d48182]) {
      const mine = markers.filter((m) => m.kernel === t.kernel);
      // 400 steps < columns: one marker per step and kind (two leaks at one step share a marker)
      assert.equal(mine.length, new Set(t.events.map((e) => `${e.kind}@${e.step}`)).size, `${t.kernel}: markers`);
      for (const e of t.events) {
        const m = mine.find((x) => x.kind === e.kind && x.step === e.step);
        assert.ok(m, `${t.kernel} ${e.kind}@${e.step} has a marker`);
        assert.ok(m.count > 1 ? m.title.includes(`${m.count} ${e.kind} events`) : m.title.includes(e.message), m.title);
      }
    }
    assert.ok(markers.every((m) => m.w > 3 && m.fill !== 'none'));
    const geo = await page.evaluate(() => {
      const svg = document.querySelector('#bt-chart svg') as SVGSVGElement;
      const r = svg.getBoundingClientRect();
      const d = svg.dataset;
      return { left: r.left, top: r.top, scale: r.width / Number(svg.getAttribute('width')), x0: Number(d.x0), x1: Number(d.x1), y0: Number(d.y0), y1: Number(d.y1), from: Number(d.from), to: Number(d.to) };
    });
    const screenX = (step: number) => geo.left + geo.scale * (geo.x0 + ((step - geo.from + 0.5) / (geo.to - geo.from + 1)) * (geo.x1 - geo.x0));
    const screenY = (y: number) => geo.top + geo.scale * y;
    for (const m of markers) assert.ok(Math.abs(m.cx - screenX(m.step)) < 1.5, `marker ${m.kind}@${m.step} at x ${m.cx} vs ${screenX(m.step)}`);
    const kinds = new Set(markers.map((m) => m.kind));
    assert.deepEqual([...kinds].sort(), ['leak', 'misuse', 'refcount', 'stall']);

    // -- the divergence marker and the cursor
    const div = await page.$eval('#bt-chart g.bt-div', (g) => ({ step: Number((g as SVGGElement).dataset.step), text: g.textContent, x: g.querySelector('line')!.getBoundingClientRect().x }));
    assert.equal(div.step, 171);
    assert.match(div.text!, /diverges at step 171/);
    assert.ok(Math.abs(div.x - screenX(171)) < 1.5);
    const cursor = () => page.$eval('#bt-cursor', (c) => ({ step: c.getAttribute('data-step'), vis: c.getAttribute('visibility'), x: c.getBoundingClientRect().x }));
    let cur = await cursor();
    assert.deepEqual([cur.step, cur.vis], ['120', 'visible']);
    assert.ok(Math.abs(cur.x - screenX(120)) < 1.5);

    // -- toggling a zone hides its series and markers, and tells the extension
    const zone1Box = page.locator('#bt-zones input[value="zone1"]');
    await clearPosted();
    await zone1Box.uncheck();
    const visible = () => page.$$eval('#bt-chart path.bt-s, #bt-chart g.bt-marker', (els) => els.filter((e) => getComputedStyle(e).display !== 'none').map((e) => (e as SVGElement).dataset.zone ?? ''));
    let vis = await visible();
    assert.ok(!vis.includes('zone1'), 'zone1 hidden');
    assert.equal(vis.filter((z) => z === 'zone0').length >= 8, true);
    assert.deepEqual(await nextPosted('zones'), { type: 'zones', hidden: ['zone1'] });
    await zone1Box.check();
    vis = await visible();
    assert.ok(vis.includes('zone1'), 'zone1 shown again');
    // counters toggle the same way
    await page.locator('#bt-fields input[value="reserved"]').uncheck();
    assert.equal(await page.$$eval('#bt-chart path.bt-s[data-field="reserved"]', (els) => els.filter((e) => getComputedStyle(e).display !== 'none').length), 0);
    await page.locator('#bt-fields input[value="reserved"]').check();

    // -- hovering shows the counters at the step under the mouse
    await page.mouse.move(screenX(250), screenY((geo.y0 + geo.y1) / 2));
    await page.waitForFunction(() => document.querySelector('#bt-readout')!.textContent!.includes('step 250'));
    const readout = await page.$$eval('#bt-readout tr', (rows) => rows.map((r) => [r.getAttribute('data-kernel'), r.getAttribute('data-zone'), ...[...r.children].map((c) => c.textContent)]));
    const row = (k: string, z: string) => readout.find((r) => r[0] === k && r[1] === z)!;
    assert.equal(row('legacy', 'zone0')[4], String(48 * 250));   // th kernel, td zone, total...
    assert.equal(row('d48182', 'zone0')[4], '8192');
    assert.equal(await page.$eval('#bt-hover', (h) => h.getAttribute('visibility')), 'visible');

    // -- clicking a point travels there; clicking a marker travels to its event
    await clearPosted();
    await page.mouse.click(screenX(250), screenY((geo.y0 + geo.y1) / 2));
    assert.deepEqual(await nextPosted('travel'), { type: 'travel', step: 250 });
    // (the two refcount drops are one step apart: the later marker is drawn on top)
    const refcount = page.locator('#bt-chart g.bt-marker[data-kind="refcount"]').last();
    await clearPosted();
    await refcount.click();
    assert.deepEqual(await nextPosted('travel'), { type: 'travel', step: d48182.events.filter((e) => e.kind === 'refcount').pop()!.step });
    // the compare checkboxes ask for other kernels
    await clearPosted();
    await page.locator('#bt-kernels input[value="d47521"]').check();
    assert.deepEqual(await nextPosted('compare'), { type: 'compare', kernels: ['legacy', 'd47521', 'd48182'] });
    await page.locator('#bt-kernels input[value="d47521"]').uncheck();

    // -- an update moves the cursor ...
    await page.evaluate(() => window.postMessage({ type: 'update', cursorStep: 300 }, '*'));
    await page.waitForFunction(() => document.querySelector('#bt-cursor')!.getAttribute('data-step') === '300');
    cur = await cursor();
    assert.ok(Math.abs(cur.x - screenX(300)) < 1.5);
    // ... and a full update (what the extension sends after a stop or a zoom) redraws from the adapter's answer
    const body = answerTimelineRequest([legacy, d48182], { from: 151, to: 250, columns: plotColumns(width) }, 200);
    const upd = JSON.parse(JSON.stringify(panelUpdate({ nonce, response: body, width, height })));
    await page.evaluate((m) => window.postMessage(m, '*'), upd);
    await page.waitForFunction(() => document.querySelector('#bt-chart svg')!.getAttribute('data-from') === '151');
    assert.equal(await page.$$eval('#bt-chart path.bt-s', (els) => els.length), 18);
    cur = await cursor();
    assert.deepEqual([cur.step, cur.vis], ['200', 'visible']);

    // a note from the extension replaces the readout
    await page.evaluate(() => window.postMessage({ type: 'update', message: 'The debug session has ended.' }, '*'));
    await page.waitForFunction(() => document.querySelector('#bt-readout')!.textContent === 'The debug session has ended.');

    // -- back to the whole run, hover near the divergence, and take the picture
    const full = JSON.parse(JSON.stringify(panelUpdate({ nonce, timelines: [legacy, d48182], width, height, cursorStep: 120 })));
    await page.evaluate((m) => window.postMessage(m, '*'), full);
    await page.waitForFunction(() => document.querySelector('#bt-chart svg')!.getAttribute('data-from') === '1');
    await page.mouse.move(screenX(300), screenY(geo.y0 + 40));
    await page.waitForFunction(() => document.querySelector('#bt-readout')!.textContent!.includes('step 300'));
    assert.deepEqual(problems, []);
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp), []);
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.ok(existsSync(SCREENSHOT));
  } finally {
    await browser.close();
  }
});

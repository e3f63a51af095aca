// The "busdma Timeline" webview page. The chart itself is drawn by the one renderer (svg.ts),
// on the extension side; the page embeds its SVG and a small inline script that toggles zones
// and counters, shows a hover readout from the downsampled columns, moves the cursor, and posts
// messages back (travel on click, zoom, resize, compare). Pure: no I/O, no `vscode`.
//
// Messages from the page (via acquireVsCodeApi().postMessage, or window.parent.postMessage
// outside VS Code):
//   {type:'ready', width, height}          page loaded; size of the chart area in CSS px
//   {type:'resize', width, height}         chart area resized (debounced)
//   {type:'travel', step}                  user clicked step `step` (1-based)
//   {type:'zones', hidden: string[]}       zones unticked ('global' = global total)
//   {type:'fields', hidden: string[]}      counters unticked ('total'|'free'|'reserved'|'active')
//   {type:'range', from?, to?}             zoom to steps [from, to] (both absent: whole run)
//   {type:'compare', kernels: string[]}    kernels ticked for comparison
// Messages to the page (webview.postMessage):
//   {type:'update', svg?, data?, cursorStep?, kernels?, message?}   see panelUpdate(); `message`
//   replaces the hover readout with a note (e.g. "the debug adapter has no timeline")

import type { Timeline } from './types';
import { firstDivergence, type Divergence } from './compare';
import { escapeXml, plotColumns, renderWindowsSvg, VSCODE_THEME, type TimelineTheme } from './svg';
import { clampSteps, columnsFor, makeWindow, type TimelineResponseBody, type TimelineWindow } from './window';

export interface PanelViewOptions {
  /** the runs to draw: either full timelines (downsampled here) ... */
  timelines?: Timeline[];
  /** ... or the debug adapter's answer to the `timeline` custom request */
  response?: TimelineResponseBody;
  /** SVG size in px (the page scales it to its width); default 960 × 420 */
  width?: number;
  height?: number;
  fromStep?: number;
  toStep?: number;
  cursorStep?: number;
  zonesHidden?: string[];
  fieldsHidden?: string[];
  /** default VSCODE_THEME (the workbench's CSS variables) */
  theme?: Partial<TimelineTheme>;
  title?: string;
  /** the CSP nonce of the page (the chart's <style> carries it) */
  nonce: string;
}

export interface PanelOptions extends PanelViewOptions {
  /** kernels offered for comparison, and those ticked */
  kernels?: { available: string[]; selected: string[] };
  /** webview.cspSource; only needed if the page ever loads resources (it does not) */
  cspSource?: string;
}

/** What the page needs besides the SVG: the downsampled columns, for the hover readout. */
export interface PanelData {
  windows: TimelineWindow[];
  divergence: Divergence | null;
  zones: string[];
}

export interface PanelUpdate {
  type: 'update';
  svg: string;
  data: PanelData;
  cursorStep?: number;
  kernels?: { available: string[]; selected: string[] };
  /** a note shown in place of the hover readout */
  message?: string;
}

/** Renders the chart (SVG + hover data) for the page; used for the first page and for updates. */
export function panelView(opts: PanelViewOptions): { svg: string; data: PanelData } {
  const width = opts.width ?? 960;
  const height = opts.height ?? 420;
  let windows: TimelineWindow[];
  let divergence: Divergence | null;
  if (opts.response) {
    windows = opts.response.windows;
    divergence = opts.response.divergence;
  } else {
    const timelines = opts.timelines ?? [];
    const steps = Math.max(0, ...timelines.map((t) => t.steps));
    const [from, to] = clampSteps(steps, opts.fromStep, opts.toStep);
    const columns = plotColumns(width);
    windows = timelines.map((t) => makeWindow(t, { from, to, columns: columnsFor(t.steps, from, to, columns) }));
    divergence = firstDivergence(timelines);
  }
  const cursorStep = opts.cursorStep ?? opts.response?.currentStep;
  const svg = renderWindowsSvg(windows, {
    width, height, divergence, cursorStep,
    theme: opts.theme ?? VSCODE_THEME,
    fromStep: opts.fromStep, toStep: opts.toStep,
    zonesHidden: opts.zonesHidden, fieldsHidden: opts.fieldsHidden,
    title: opts.title, styleNonce: opts.nonce,
  });
  const zones: string[] = [];
  for (const w of windows) for (const z of w.zones) if (!zones.includes(z.name)) zones.push(z.name);
  zones.push('global');
  return { svg, data: { windows, divergence, zones } };
}

/** The `update` message the extension posts to the page after a stop, a zoom, a resize... */
export function panelUpdate(opts: PanelOptions): PanelUpdate {
  const { svg, data } = panelView(opts);
  const msg: PanelUpdate = { type: 'update', svg, data };
  const cursor = opts.cursorStep ?? opts.response?.currentStep;
  if (cursor !== undefined) msg.cursorStep = cursor;
  if (opts.kernels) msg.kernels = opts.kernels;
  return msg;
}

/** JSON safe to put inside a <script type="application/json"> element. */
function jsonForScript(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A random CSP nonce (32 alphanumerics), from the platform's CSPRNG (Web Crypto, in node 20 too). */
export function makeNonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += chars[b % chars.length];
  return s;
}

/** The complete webview page: nonce-based CSP, no external resources. */
export function renderPanelHtml(opts: PanelOptions): string {
  const nonce = opts.nonce;
  if (!/^[A-Za-z0-9+/=_-]{8,}$/.test(nonce)) throw new Error('renderPanelHtml: the nonce must be 8+ base64 characters');
  const { svg, data } = panelView(opts);
  const theme = { ...VSCODE_THEME, ...(opts.theme ?? {}) };
  const initial = {
    cursorStep: opts.cursorStep ?? opts.response?.currentStep ?? null,
    zonesHidden: opts.zonesHidden ?? [],
    fieldsHidden: opts.fieldsHidden ?? [],
    kernels: opts.kernels ?? null,
    palette: theme.palette.length,
  };
  const csp = [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    'img-src data:',
  ].join('; ');
  const swatches = theme.palette.map((c, i) => `.bt-sw${i}{background:${c}}`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>busdma Timeline</title>
<style nonce="${escapeXml(nonce)}">
html,body{margin:0;padding:0}
body{background:${theme.background};color:${theme.foreground};font-family:${theme.fontFamily};font-size:var(--vscode-font-size,13px);padding:6px 10px}
#bt-controls{display:flex;flex-wrap:wrap;gap:4px 18px;align-items:center;margin:2px 0 6px 0}
#bt-controls fieldset{border:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:2px 10px;align-items:center}
#bt-controls legend{float:left;margin-right:6px;color:${theme.muted};padding:0}
#bt-controls label{display:inline-flex;align-items:center;gap:4px;cursor:pointer;white-space:nowrap}
.bt-sw{display:inline-block;width:10px;height:10px;border-radius:2px;background:${theme.muted}}
${swatches}
button{font:inherit;color:var(--vscode-button-secondaryForeground,inherit);background:var(--vscode-button-secondaryBackground,transparent);border:1px solid var(--vscode-button-border,${theme.grid});border-radius:2px;padding:1px 8px;cursor:pointer}
#bt-chart{position:relative;width:100%;outline:none}
#bt-chart svg{display:block;width:100%;height:auto;cursor:crosshair;user-select:none}
#bt-chart:focus-visible{outline:1px solid var(--vscode-focusBorder,#3b82f6)}
#bt-readout{min-height:3.2em;margin-top:4px;font-family:var(--vscode-editor-font-family,monospace);font-size:12px;color:${theme.foreground}}
#bt-readout table{border-collapse:collapse}
#bt-readout td,#bt-readout th{padding:0 10px 0 0;text-align:right;font-weight:normal;white-space:nowrap}
#bt-readout th{color:${theme.muted};text-align:left}
#bt-readout .bt-head{color:${theme.muted}}
#bt-readout .bt-ev{color:${theme.divergence}}
.bt-hint{color:${theme.muted}}
</style>
</head>
<body>
<div id="bt-controls">
<fieldset id="bt-zones"><legend>Zones</legend></fieldset>
<fieldset id="bt-fields"><legend>Counters</legend></fieldset>
<fieldset id="bt-kernels"><legend>Compare</legend></fieldset>
<button id="bt-reset" type="button" title="Show all steps">Reset zoom</button>
</div>
<div id="bt-chart" tabindex="0" aria-label="bounce pages over time; click to travel to a step">${svg}</div>
<div id="bt-readout" aria-live="polite"><span class="bt-hint">Hover for the counters at a step; click to travel there; scroll to zoom.</span></div>
<script type="application/json" id="bt-data">${jsonForScript(data)}</script>
<script type="application/json" id="bt-initial">${jsonForScript(initial)}</script>
<script nonce="${escapeXml(nonce)}">
${PAGE_SCRIPT}
</script>
</body>
</html>
`;
}

/** The page's script (plain ES2020, no dependencies). Kept as a string: it runs in the webview. */
export const PAGE_SCRIPT = String.raw`(function () {
  'use strict';
  var vscodeApi = (typeof acquireVsCodeApi === 'function') ? acquireVsCodeApi() : null;
  function post(msg) {
    if (vscodeApi) vscodeApi.postMessage(msg);
    else window.parent.postMessage(msg, '*');
  }
  var FIELDS = ['total', 'free', 'reserved', 'active'];
  var FIELD_NAMES = { total: 'total_bpages', free: 'free_bpages', reserved: 'reserved_bpages', active: 'active_bpages' };
  var data = JSON.parse(document.getElementById('bt-data').textContent);
  var initial = JSON.parse(document.getElementById('bt-initial').textContent);
  var saved = (vscodeApi && vscodeApi.getState && vscodeApi.getState()) || {};
  var hiddenZones = new Set(saved.zonesHidden || initial.zonesHidden || []);
  var hiddenFields = new Set(saved.fieldsHidden || initial.fieldsHidden || []);
  var cursorStep = initial.cursorStep;
  var kernels = initial.kernels;
  var chart = document.getElementById('bt-chart');
  var readout = document.getElementById('bt-readout');

  function svgEl() { return chart.querySelector('svg'); }
  function geo() {
    var s = svgEl();
    if (!s) return null;
    var d = s.dataset;
    return { x0: +d.x0, x1: +d.x1, y0: +d.y0, y1: +d.y1, from: +d.from, to: +d.to };
  }
  function xOfStep(g, step) {
    var span = g.to - g.from + 1;
    return g.x0 + ((step - g.from + 0.5) / span) * (g.x1 - g.x0);
  }
  function svgPoint(ev) {
    var s = svgEl();
    var m = s.getScreenCTM();
    if (!m) return null;
    var p = s.createSVGPoint();
    p.x = ev.clientX; p.y = ev.clientY;
    return p.matrixTransform(m.inverse());
  }
  function stepAtX(g, x) {
    var span = g.to - g.from + 1;
    var s = g.from + Math.floor(((x - g.x0) / (g.x1 - g.x0)) * span);
    return Math.max(g.from, Math.min(g.to, s));
  }
  function saveState() {
    if (vscodeApi && vscodeApi.setState) vscodeApi.setState({ zonesHidden: Array.from(hiddenZones), fieldsHidden: Array.from(hiddenFields) });
  }

  // -- visibility of zones and counters
  function applyVisibility() {
    var els = chart.querySelectorAll('.bt-s, .bt-marker');
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      var z = el.getAttribute('data-zone');
      var f = el.getAttribute('data-field');
      var hide = (z && hiddenZones.has(z)) || (f && hiddenFields.has(f));
      el.style.display = hide ? 'none' : '';
    }
  }
  function checkbox(container, value, label, checked, swatchClass, onChange) {
    var l = document.createElement('label');
    var c = document.createElement('input');
    c.type = 'checkbox'; c.checked = checked; c.value = value;
    c.setAttribute('data-toggle', container.id.replace('bt-', ''));
    c.addEventListener('change', function () { onChange(c.checked); });
    l.appendChild(c);
    if (swatchClass) { var sw = document.createElement('span'); sw.className = 'bt-sw ' + swatchClass; l.appendChild(sw); }
    l.appendChild(document.createTextNode(label));
    container.appendChild(l);
    return c;
  }
  function clearFieldset(fs) {
    var kids = Array.prototype.slice.call(fs.children);
    for (var i = 0; i < kids.length; i++) if (kids[i].tagName !== 'LEGEND') fs.removeChild(kids[i]);
  }
  function buildControls() {
    var zf = document.getElementById('bt-zones');
    clearFieldset(zf);
    var comparing = data.windows.length >= 2;
    data.zones.forEach(function (z, i) {
      var sw = comparing ? null : (z === 'global' ? 'bt-swg' : 'bt-sw' + (i % initial.palette));
      checkbox(zf, z, z, !hiddenZones.has(z), sw, function (on) {
        if (on) hiddenZones.delete(z); else hiddenZones.add(z);
        applyVisibility(); saveState();
        post({ type: 'zones', hidden: Array.from(hiddenZones) });
      });
    });
    var ff = document.getElementById('bt-fields');
    clearFieldset(ff);
    FIELDS.forEach(function (f) {
      checkbox(ff, f, f, !hiddenFields.has(f), null, function (on) {
        if (on) hiddenFields.delete(f); else hiddenFields.add(f);
        applyVisibility(); saveState();
        post({ type: 'fields', hidden: Array.from(hiddenFields) });
      });
    });
    var kf = document.getElementById('bt-kernels');
    clearFieldset(kf);
    if (kernels && kernels.available && kernels.available.length) {
      kf.hidden = false;
      kernels.available.forEach(function (k, i) {
        var sel = kernels.selected.indexOf(k);
        checkbox(kf, k, k, sel >= 0, sel >= 0 && kernels.selected.length >= 2 ? 'bt-sw' + (sel % initial.palette) : null, function (on) {
          var s = kernels.selected.filter(function (x) { return x !== k; });
          if (on) s.push(k);
          s.sort(function (a, b) { return kernels.available.indexOf(a) - kernels.available.indexOf(b); });
          kernels.selected = s;
          post({ type: 'compare', kernels: s.slice() });
        });
      });
    } else {
      kf.hidden = true;
    }
  }

  // -- cursor
  function moveCursor(step) {
    cursorStep = step;
    var c = document.getElementById('bt-cursor');
    var g = geo();
    if (!c || !g) return;
    if (step === null || step === undefined || step < g.from - 1 || step > g.to) { c.setAttribute('visibility', 'hidden'); return; }
    var x = Math.max(g.x0, Math.min(g.x1, xOfStep(g, step)));
    c.setAttribute('x1', x); c.setAttribute('x2', x);
    c.setAttribute('data-step', String(step));
    c.setAttribute('visibility', 'visible');
  }

  // -- hover readout
  function columnOf(w, step) {
    if (!w.columns || step < w.fromStep || step > w.toStep) return -1;
    var lo = 0, hi = w.columns - 1;
    while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (w.starts[mid] <= step) lo = mid; else hi = mid - 1; }
    return lo;
  }
  function fmt(s, c) {
    if (!s || s.max[c] < 0) return '-';
    var last = s.last[c] < 0 ? 'absent' : String(s.last[c]);
    return s.min[c] === s.max[c] ? last : last + ' [' + s.min[c] + '..' + s.max[c] + ']';
  }
  function cell(tr, tag, text, cls) {
    var td = document.createElement(tag); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td);
  }
  function showReadout(step) {
    readout.textContent = '';
    var table = document.createElement('table');
    var head = document.createElement('tr');
    cell(head, 'th', 'step ' + step);
    cell(head, 'th', 'zone');
    FIELDS.forEach(function (f) { if (!hiddenFields.has(f)) cell(head, 'th', FIELD_NAMES[f]); });
    table.appendChild(head);
    var events = [];
    data.windows.forEach(function (w) {
      var c = columnOf(w, step);
      if (c < 0) {
        var tr0 = document.createElement('tr');
        cell(tr0, 'th', w.kernel); cell(tr0, 'td', 'run ended after step ' + w.steps, 'bt-head');
        table.appendChild(tr0);
        return;
      }
      var a = w.starts[c], b = w.starts[c + 1] - 1;
      var where = (a === b ? 'line ' + w.lines[c] : 'steps ' + a + '-' + b);
      var first = true;
      w.zones.forEach(function (z) {
        if (hiddenZones.has(z.name) || z.total.max[c] < 0) return;
        var tr = document.createElement('tr');
        cell(tr, 'th', first ? w.kernel + ' (' + where + ')' : '');
        first = false;
        cell(tr, 'td', z.name);
        FIELDS.forEach(function (f) { if (!hiddenFields.has(f)) cell(tr, 'td', fmt(z[f], c)); });
        tr.setAttribute('data-kernel', w.kernel); tr.setAttribute('data-zone', z.name);
        table.appendChild(tr);
      });
      if (!hiddenZones.has('global')) {
        var tg = document.createElement('tr');
        cell(tg, 'th', first ? w.kernel + ' (' + where + ')' : '');
        cell(tg, 'td', 'global'); cell(tg, 'td', fmt(w.global, c));
        tg.setAttribute('data-kernel', w.kernel); tg.setAttribute('data-zone', 'global');
        table.appendChild(tg);
      }
      w.markers.forEach(function (m) {
        if (m.column === c) events.push(w.kernel + ': ' + (m.count > 1 ? m.count + ' x ' : '') + m.kind + ' (step ' + m.step + ', line ' + m.line + ') ' + m.message);
      });
    });
    readout.appendChild(table);
    if (data.divergence && data.divergence.step === step) events.unshift('first divergence at step ' + step);
    events.slice(0, 4).forEach(function (t) { var d = document.createElement('div'); d.className = 'bt-ev'; d.textContent = t; readout.appendChild(d); });
    if (events.length > 4) { var more = document.createElement('div'); more.className = 'bt-ev'; more.textContent = '... ' + (events.length - 4) + ' more'; readout.appendChild(more); }
  }
  var hoverStep = null;
  function onMove(ev) {
    var g = geo(); var p = svgPoint(ev);
    var h = document.getElementById('bt-hover');
    if (!g || !p || p.x < g.x0 || p.x > g.x1 || g.to < g.from) { if (h) h.setAttribute('visibility', 'hidden'); return; }
    var step = stepAtX(g, p.x);
    var mk = ev.target && ev.target.closest ? ev.target.closest('.bt-marker') : null;
    if (mk) step = +mk.getAttribute('data-step');
    if (h) { var x = xOfStep(g, step); h.setAttribute('x1', x); h.setAttribute('x2', x); h.setAttribute('visibility', 'visible'); }
    if (step !== hoverStep) { hoverStep = step; showReadout(step); }
  }
  function onClick(ev) {
    var g = geo(); var p = svgPoint(ev);
    if (!g || !p) return;
    var t = ev.target && ev.target.closest ? ev.target : null;
    var mk = t ? t.closest('.bt-marker, .bt-div') : null;
    var step;
    if (mk) step = +mk.getAttribute('data-step');
    else if (p.x >= g.x0 && p.x <= g.x1 && g.to >= g.from) step = stepAtX(g, p.x);
    else return;
    post({ type: 'travel', step: step });
  }
  function onWheel(ev) {
    var g = geo(); var p = svgPoint(ev);
    if (!g || !p || p.x < g.x0 || p.x > g.x1 || g.to <= g.from && ev.deltaY < 0) return;
    ev.preventDefault();
    var at = stepAtX(g, p.x);
    var span = g.to - g.from + 1;
    var next = Math.max(10, Math.round(span * (ev.deltaY < 0 ? 0.6 : 1 / 0.6)));
    var frac = (at - g.from) / Math.max(1, span);
    var from = Math.max(1, Math.round(at - frac * next));
    post({ type: 'range', from: from, to: from + next - 1 });
  }
  function onKey(ev) {
    var g = geo();
    if (!g) return;
    var step = hoverStep === null ? (cursorStep || g.from) : hoverStep;
    if (ev.key === 'ArrowLeft') step = Math.max(g.from, step - 1);
    else if (ev.key === 'ArrowRight') step = Math.min(g.to, step + 1);
    else if (ev.key === 'Enter') { post({ type: 'travel', step: step }); return; }
    else return;
    ev.preventDefault();
    hoverStep = step; showReadout(step);
    var h = document.getElementById('bt-hover');
    if (h) { var x = xOfStep(g, step); h.setAttribute('x1', x); h.setAttribute('x2', x); h.setAttribute('visibility', 'visible'); }
  }
  chart.addEventListener('mousemove', onMove);
  chart.addEventListener('mouseleave', function () { var h = document.getElementById('bt-hover'); if (h) h.setAttribute('visibility', 'hidden'); });
  chart.addEventListener('click', onClick);
  chart.addEventListener('wheel', onWheel, { passive: false });
  chart.addEventListener('keydown', onKey);
  document.getElementById('bt-reset').addEventListener('click', function () { post({ type: 'range' }); });

  // -- size
  function size() { var r = chart.getBoundingClientRect(); return { width: Math.round(r.width), height: Math.round(Math.max(240, window.innerHeight - r.top - 90)) }; }
  var resizeTimer = null;
  if (typeof ResizeObserver === 'function') {
    var lastW = 0;
    new ResizeObserver(function () {
      var s = size();
      if (Math.abs(s.width - lastW) < 2) return;
      lastW = s.width;
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(function () { post({ type: 'resize', width: s.width, height: s.height }); }, 150);
    }).observe(chart);
  }

  // -- updates from the extension
  window.addEventListener('message', function (ev) {
    var msg = ev.data;
    if (!msg || msg.type !== 'update') return;
    if (typeof msg.svg === 'string') chart.innerHTML = msg.svg;
    if (msg.kernels) kernels = msg.kernels;
    if (msg.data) { data = msg.data; buildControls(); }
    applyVisibility();
    moveCursor(msg.cursorStep !== undefined ? msg.cursorStep : cursorStep);
    if (typeof msg.message === 'string') {
      hoverStep = null;
      readout.textContent = '';
      var note = document.createElement('span'); note.className = 'bt-hint'; note.textContent = msg.message;
      readout.appendChild(note);
    } else if (hoverStep !== null) showReadout(hoverStep);
  });

  buildControls();
  applyVisibility();
  moveCursor(cursorStep);
  var s0 = size();
  post({ type: 'ready', width: s0.width, height: s0.height });
  window.busdmaTimeline = { stepAtX: stepAtX, geo: geo, showReadout: showReadout };
})();`;

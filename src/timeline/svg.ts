// The one timeline renderer: a complete standalone SVG string, used both by the CLI
// (`busdma-trace plot`) and by the VS Code panel (which embeds it in its webview page).
// Pure: no I/O, no DOM, no `vscode`; written by hand, no chart library.
//
// Steps are 1-based step numbers (as TimelineEvent.step); fromStep/toStep are inclusive.

import type { Timeline } from './types';
import { ABSENT } from './downsample';
import { COUNTER_FIELDS, FIELD_SYSCTL, GLOBAL_ZONE, describeDivergence, firstDivergence, type CounterField, type Divergence } from './compare';
import { clampSteps, columnsFor, makeWindow, type ColumnSeries, type TimelineWindow } from './window';

// ---------------------------------------------------------------------------------------------
// Theme

export interface TimelineTheme {
  /** chart background; 'none' = transparent */
  background: string;
  /** titles, labels */
  foreground: string;
  /** axes, tick labels, the global series in single-kernel charts */
  muted: string;
  /** grid lines */
  grid: string;
  cursor: string;
  divergence: string;
  /** series colours: by kernel when comparing, by zone otherwise */
  palette: string[];
  /** marker colour per event kind (others use `muted`) */
  markers: Record<string, string>;
  fontFamily: string;
  /** px */
  fontSize: number;
}

/** Colours readable on a light background (mid-tone series colours, which also read on dark). */
export const LIGHT_THEME: TimelineTheme = {
  background: 'none',
  foreground: '#1f2328',
  muted: '#57606a',
  grid: 'rgba(128,128,128,0.25)',
  cursor: '#1f2328',
  divergence: '#cf222e',
  palette: ['#2563eb', '#ea580c', '#16a34a', '#db2777', '#9333ea', '#ca8a04', '#0891b2', '#65a30d'],
  markers: {
    leak: '#dc2626', refcount: '#2563eb', stall: '#ea580c', misuse: '#9333ea',
    error: '#ca8a04', unreachable: '#0d9488', expect: '#db2777', panic: '#be123c',
  },
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  fontSize: 11,
};

/** The same chart for a dark background. */
export const DARK_THEME: TimelineTheme = {
  ...LIGHT_THEME,
  foreground: '#e6edf3',
  muted: '#9da7b3',
  grid: 'rgba(160,160,160,0.22)',
  cursor: '#e6edf3',
  divergence: '#ff7b72',
  palette: ['#60a5fa', '#fb923c', '#4ade80', '#f472b6', '#c084fc', '#facc15', '#22d3ee', '#a3e635'],
  markers: {
    leak: '#f87171', refcount: '#60a5fa', stall: '#fb923c', misuse: '#c084fc',
    error: '#facc15', unreachable: '#2dd4bf', expect: '#f472b6', panic: '#fb7185',
  },
};

/** The VS Code webview theme: the workbench's CSS variables, with fallbacks. */
export const VSCODE_THEME: TimelineTheme = {
  background: 'var(--vscode-editor-background, transparent)',
  foreground: 'var(--vscode-editor-foreground, #808080)',
  muted: 'var(--vscode-descriptionForeground, #808080)',
  grid: 'var(--vscode-charts-lines, rgba(128,128,128,0.3))',
  cursor: 'var(--vscode-editorCursor-foreground, var(--vscode-focusBorder, #3b82f6))',
  divergence: 'var(--vscode-editorError-foreground, #e11d48)',
  palette: [
    'var(--vscode-charts-blue, #3b82f6)', 'var(--vscode-charts-orange, #f97316)',
    'var(--vscode-charts-green, #22c55e)', 'var(--vscode-charts-red, #ef4444)',
    'var(--vscode-charts-purple, #a855f7)', 'var(--vscode-charts-yellow, #eab308)',
    '#06b6d4', '#84cc16',
  ],
  markers: {
    leak: 'var(--vscode-charts-red, #ef4444)', refcount: 'var(--vscode-charts-blue, #3b82f6)',
    stall: 'var(--vscode-charts-orange, #f97316)', misuse: 'var(--vscode-charts-purple, #a855f7)',
    error: 'var(--vscode-charts-yellow, #eab308)', unreachable: '#14b8a6', expect: '#ec4899',
    panic: 'var(--vscode-errorForeground, #f43f5e)',
  },
  fontFamily: 'var(--vscode-font-family, system-ui, sans-serif)',
  fontSize: 11,
};

// ---------------------------------------------------------------------------------------------
// Options

export type SeriesField = CounterField;

export interface RenderOptions {
  width: number;
  height: number;
  /** colours; omitted = LIGHT_THEME with DARK_THEME under prefers-color-scheme: dark */
  theme?: Partial<TimelineTheme>;
  /** first / last step shown, 1-based inclusive; default the whole run */
  fromStep?: number;
  toStep?: number;
  /** zones not drawn (their series and markers; 'global' = the global total_bpages) */
  zonesHidden?: string[];
  /** counter fields not drawn */
  fieldsHidden?: string[];
  /** the current step (1-based; 0 = before the first step): a vertical cursor */
  cursorStep?: number;
  title?: string;
  /** nonce for the <style> element (the webview's CSP) */
  styleNonce?: string;
}

export interface WindowRenderOptions extends RenderOptions {
  /** divergence of the full runs (computed before downsampling); drawn when 2+ windows */
  divergence?: Divergence | null;
}

/** Dash pattern and width of each counter field. */
export const FIELD_STYLE: Record<CounterField, { dash: string; width: number }> = {
  total: { dash: '', width: 2 },
  free: { dash: '6 3', width: 1.5 },
  reserved: { dash: '2 3', width: 1.5 },
  active: { dash: '9 3 2 3', width: 1.5 },
};

export const MARGIN = { left: 60, right: 16 };

/** Width in pixels of the plotting area for a chart `width` wide: the number of columns to
 * downsample into (one per pixel). */
export function plotColumns(width: number): number {
  return Math.max(1, Math.floor(width - MARGIN.left - MARGIN.right));
}

// ---------------------------------------------------------------------------------------------
// Entry points

/** Renders the runs of one trace (one or several kernels) as a standalone SVG document. */
export function renderSvg(timelines: Timeline[], opts: RenderOptions): string {
  const steps = Math.max(0, ...timelines.map((t) => t.steps));
  const [from, to] = clampSteps(steps, opts.fromStep, opts.toStep);
  const columns = plotColumns(opts.width);
  const windows = timelines.map((t) => makeWindow(t, { from, to, columns: columnsFor(t.steps, from, to, columns) }));
  return renderWindowsSvg(windows, { ...opts, fromStep: from, toStep: to, divergence: firstDivergence(timelines) });
}

/** Renders already-downsampled windows (what the debug adapter sends to the panel). */
export function renderWindowsSvg(windows: TimelineWindow[], opts: WindowRenderOptions): string {
  return new Chart(windows, opts).render();
}

// ---------------------------------------------------------------------------------------------
// Helpers

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const r1 = (v: number) => Math.round(v * 10) / 10;

/** A "nice" tick spacing (1, 2 or 5 × 10^k, at least `minStep`) giving about `count` ticks. */
export function niceStep(range: number, count: number, minStep = 1): number {
  if (!(range > 0) || count <= 0) return minStep;
  const raw = range / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  return Math.max(minStep, Math.round(step));
}

/** 1234 -> "1234", 25000 -> "25k", 1000000 -> "1M", 1500000 -> "1.5M" */
export function formatCount(n: number): string {
  if (Math.abs(n) >= 1_000_000 && n % 100_000 === 0) return `${n / 1_000_000}M`;
  if (Math.abs(n) >= 10_000 && n % 1000 === 0) return `${n / 1000}k`;
  return String(n);
}

/** Path of a marker shape of `kind` centred at (x, y). */
export function markerPath(kind: string, x: number, y: number, r = 4.5): string {
  const p = (pts: [number, number][]) => 'M' + pts.map(([a, b]) => `${r1(x + a)},${r1(y + b)}`).join('L') + 'Z';
  switch (kind) {
    case 'leak': return p([[-r, -r * 0.8], [r, -r * 0.8], [0, r]]);                      // ▼
    case 'unreachable': return p([[-r, r * 0.8], [r, r * 0.8], [0, -r]]);                // ▲
    case 'refcount': return p([[0, -r], [r, 0], [0, r], [-r, 0]]);                       // ◆
    case 'stall': return p([[-r * 0.8, -r * 0.8], [r * 0.8, -r * 0.8], [r * 0.8, r * 0.8], [-r * 0.8, r * 0.8]]); // ■
    case 'misuse': {                                                                     // ✕ (filled)
      const a = r, b = r * 0.35;
      return p([[-a, -a + b], [-a + b, -a], [0, -b], [a - b, -a], [a, -a + b], [b, 0], [a, a - b], [a - b, a], [0, b], [-a + b, a], [-a, a - b], [-b, 0]]);
    }
    case 'panic': {                                                                      // octagon
      const pts: [number, number][] = [];
      for (let i = 0; i < 8; i++) { const t = Math.PI / 8 + (i * Math.PI) / 4; pts.push([r * 1.1 * Math.cos(t), r * 1.1 * Math.sin(t)]); }
      return p(pts);
    }
    case 'expect': return p([[-r * 0.3, -r], [r * 0.3, -r], [r * 0.3, -r * 0.3], [r, -r * 0.3], [r, r * 0.3], [r * 0.3, r * 0.3], [r * 0.3, r], [-r * 0.3, r], [-r * 0.3, r * 0.3], [-r, r * 0.3], [-r, -r * 0.3], [-r * 0.3, -r * 0.3]]); // ✚
    default: {                                                                           // ● (error and others)
      return `M${r1(x - r)},${r1(y)}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0Z`;
    }
  }
}

function themeCss(t: TimelineTheme, kinds: string[]): string {
  const rules: string[] = [
    `.bt-root{font-family:${t.fontFamily};font-size:${t.fontSize}px}`,
    `.bt-bg{fill:${t.background}}`,
    `.bt-text{fill:${t.foreground}}`,
    `.bt-muted{fill:${t.muted}}`,
    `.bt-axis{stroke:${t.muted}}`,
    `.bt-grid{stroke:${t.grid}}`,
    `.bt-cursor{stroke:${t.cursor}}`,
    `.bt-cursor-label{fill:${t.cursor}}`,
    `.bt-hover{stroke:${t.muted}}`,
    `.bt-div line{stroke:${t.divergence}}`,
    `.bt-div text{fill:${t.divergence}}`,
    `.bt-cg{stroke:${t.muted}}`,
  ];
  t.palette.forEach((c, i) => rules.push(`.bt-c${i}{stroke:${c}}`, `.bt-t${i}{fill:${c}}`));
  for (const k of kinds) rules.push(`.bt-m-${k}{fill:${t.markers[k] ?? t.muted}}`);
  return rules.join('\n');
}

function mergeTheme(base: TimelineTheme, over: Partial<TimelineTheme>): TimelineTheme {
  return {
    ...base,
    ...over,
    palette: over.palette && over.palette.length ? over.palette : base.palette,
    markers: { ...base.markers, ...(over.markers ?? {}) },
  };
}

const KNOWN_KINDS = ['leak', 'refcount', 'stall', 'misuse', 'error', 'unreachable', 'expect', 'panic'];

// ---------------------------------------------------------------------------------------------
// The chart

interface LegendItem { key: string; value: string; label: string; draw: (x: number, y: number) => string }

class Chart {
  private readonly w: number;
  private readonly h: number;
  private readonly fs: number;
  private readonly theme: TimelineTheme;
  private readonly auto: boolean;
  private readonly comparing: boolean;
  private readonly zonesHidden: Set<string>;
  private readonly fieldsHidden: Set<string>;
  private readonly fromStep: number;
  private readonly toStep: number;
  private readonly zoneOrder: string[];
  private x0 = 0; private x1 = 0; private y0 = 0; private y1 = 0;
  private yMax = 1;
  private laneTop = 0;
  private readonly laneH = 14;

  constructor(private readonly windows: TimelineWindow[], private readonly opts: WindowRenderOptions) {
    this.w = Math.max(120, opts.width);
    this.h = Math.max(100, opts.height);
    this.auto = !opts.theme;
    this.theme = mergeTheme(LIGHT_THEME, opts.theme ?? {});
    this.fs = this.theme.fontSize;
    this.comparing = windows.length >= 2;
    this.zonesHidden = new Set(opts.zonesHidden ?? []);
    this.fieldsHidden = new Set(opts.fieldsHidden ?? []);
    const steps = Math.max(0, ...windows.map((w) => w.steps));
    const dataFrom = windows.length ? Math.min(...windows.map((w) => w.fromStep)) : 1;
    const dataTo = windows.length ? Math.max(...windows.map((w) => w.toStep)) : 0;
    this.fromStep = Math.max(1, opts.fromStep ?? dataFrom);
    this.toStep = Math.max(this.fromStep, Math.min(steps || 1, opts.toStep ?? Math.max(dataTo, this.fromStep)));
    const seen = new Set<string>();
    this.zoneOrder = [];
    for (const w of windows) for (const z of w.zones) if (!seen.has(z.name)) { seen.add(z.name); this.zoneOrder.push(z.name); }
  }

  private xOfStep(step: number): number {
    const span = this.toStep - this.fromStep + 1;
    return this.x0 + ((step - this.fromStep + 0.5) / span) * (this.x1 - this.x0);
  }
  private yOf(v: number): number {
    return this.y1 - (v / this.yMax) * (this.y1 - this.y0);
  }
  private colourIndex(wi: number, zone: string): number {
    const n = this.theme.palette.length;
    return this.comparing ? wi % n : Math.max(0, this.zoneOrder.indexOf(zone)) % n;
  }
  private visibleZone(z: string) { return !this.zonesHidden.has(z); }
  private visibleField(f: string) { return !this.fieldsHidden.has(f); }

  /** every drawn series: window index, zone, field, columns */
  private series(): { wi: number; zone: string; field: CounterField; s: ColumnSeries }[] {
    const out: { wi: number; zone: string; field: CounterField; s: ColumnSeries }[] = [];
    this.windows.forEach((w, wi) => {
      for (const z of w.zones) {
        if (!this.visibleZone(z.name)) continue;
        for (const f of COUNTER_FIELDS) if (this.visibleField(f)) out.push({ wi, zone: z.name, field: f, s: z[f] });
      }
      if (this.visibleZone(GLOBAL_ZONE) && this.visibleField('total')) out.push({ wi, zone: GLOBAL_ZONE, field: 'total', s: w.global });
    });
    return out;
  }

  private kindsPresent(): string[] {
    const kinds = new Set<string>();
    for (const w of this.windows) for (const m of w.markers) if (!m.zone || this.visibleZone(m.zone)) kinds.add(m.kind);
    return [...KNOWN_KINDS.filter((k) => kinds.has(k)), ...[...kinds].filter((k) => !KNOWN_KINDS.includes(k)).sort()];
  }

  private legendItems(kinds: string[]): LegendItem[] {
    const items: LegendItem[] = [];
    const line = (cls: string, dash = '', width = 2) => (x: number, y: number) =>
      `<line class="${cls}" x1="${x}" y1="${y}" x2="${x + 18}" y2="${y}" stroke="#888" stroke-width="${width}"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`;
    if (this.comparing) {
      this.windows.forEach((w, wi) => items.push({ key: 'kernel', value: w.kernel, label: w.kernel, draw: line(`bt-c${this.colourIndex(wi, '')}`) }));
    } else {
      for (const z of this.zoneOrder) if (this.visibleZone(z)) items.push({ key: 'zone', value: z, label: z, draw: line(`bt-c${this.colourIndex(0, z)}`) });
      if (this.visibleZone(GLOBAL_ZONE)) items.push({ key: 'zone', value: GLOBAL_ZONE, label: 'global', draw: line('bt-cg') });
    }
    for (const f of COUNTER_FIELDS) {
      if (!this.visibleField(f)) continue;
      const st = FIELD_STYLE[f];
      items.push({ key: 'field', value: f, label: FIELD_SYSCTL[f], draw: line('bt-axis', st.dash, st.width) });
    }
    for (const k of kinds) {
      items.push({ key: 'kind', value: k, label: k, draw: (x, y) => `<path class="bt-m-${k}" d="${markerPath(k, x + 9, y)}"/>` });
    }
    return items;
  }

  private layoutLegend(items: LegendItem[]): { rows: number; placed: { item: LegendItem; x: number; row: number }[] } {
    const placed: { item: LegendItem; x: number; row: number }[] = [];
    let x = 8, row = 0;
    const maxX = this.w - 8;
    for (const item of items) {
      const wd = 24 + item.label.length * this.fs * 0.62 + 14;
      if (x + wd > maxX && x > 8) { row++; x = 8; }
      placed.push({ item, x, row });
      x += wd;
    }
    return { rows: items.length ? row + 1 : 0, placed };
  }

  render(): string {
    const { w, h, fs } = this;
    const kinds = this.kindsPresent();
    const legend = this.layoutLegend(this.legendItems(kinds));
    const title = this.opts.title ?? this.defaultTitle();
    const lanes = kinds.length || this.windows.some((x) => x.markers.length) ? Math.max(1, this.windows.length) : 0;
    const titleH = title ? fs + 12 : 6;
    this.laneTop = titleH + 2;
    const rowH = fs + 7;
    this.x0 = MARGIN.left;
    this.x1 = w - MARGIN.right;
    this.y0 = this.laneTop + lanes * this.laneH + fs + 8;   // room for the "pages" label
    this.y1 = h - (fs + 12) - (fs + 6) - legend.rows * rowH - 4;
    if (this.y1 - this.y0 < 30) this.y1 = this.y0 + 30;

    const series = this.series();
    let maxV = 0;
    for (const { s } of series) for (const v of s.max) if (v > maxV) maxV = v;
    const yStep = niceStep(Math.max(1, maxV), Math.max(2, Math.floor((this.y1 - this.y0) / 40)));
    this.yMax = Math.max(yStep, Math.ceil(Math.max(1, maxV) / yStep) * yStep);

    const out: string[] = [];
    const geo = `data-x0="${r1(this.x0)}" data-x1="${r1(this.x1)}" data-y0="${r1(this.y0)}" data-y1="${r1(this.y1)}" data-from="${this.fromStep}" data-to="${this.toStep}" data-ymax="${this.yMax}"`;
    out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="bt-root" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${escapeXml(title || 'busdma timeline')}" ${geo} data-kernels="${escapeXml(this.windows.map((x) => x.kernel).join(','))}">`);
    out.push(this.style(kinds));
    if (title) out.push(`<title>${escapeXml(title)}</title>`);
    out.push(`<rect class="bt-bg" x="0" y="0" width="${w}" height="${h}"/>`);
    if (title) out.push(`<text class="bt-text bt-title" x="8" y="${fs + 4}" font-size="${fs + 2}" font-weight="600">${escapeXml(title)}</text>`);

    out.push(this.axes(yStep));
    // an invisible hit area under the series and markers, for the panel's hover and click
    out.push(`<rect class="bt-hit" id="bt-hit" x="${r1(this.x0)}" y="${r1(this.laneTop)}" width="${r1(this.x1 - this.x0)}" height="${r1(this.y1 - this.laneTop)}" fill="transparent" pointer-events="all"/>`);
    const clipId = 'bt-clip';
    out.push(`<clipPath id="${clipId}"><rect x="${r1(this.x0)}" y="${r1(this.y0 - 2)}" width="${r1(this.x1 - this.x0)}" height="${r1(this.y1 - this.y0 + 4)}"/></clipPath>`);
    out.push(`<g class="bt-series" clip-path="url(#${clipId})">`);
    for (const sr of series) out.push(this.seriesPath(sr.wi, sr.zone, sr.field, sr.s));
    out.push('</g>');
    out.push(this.markers(lanes));
    if (this.comparing && this.opts.divergence) out.push(this.divergenceMarker(this.opts.divergence));
    out.push(this.cursor());
    // the panel's hover line
    out.push(`<line class="bt-hover" id="bt-hover" x1="0" y1="${r1(this.y0)}" x2="0" y2="${r1(this.y1)}" stroke-width="1" stroke-dasharray="2 2" visibility="hidden" pointer-events="none"/>`);
    out.push(this.legend(legend, h - legend.rows * rowH - 2, rowH));
    if (!this.windows.length || this.windows.every((x) => x.columns === 0)) {
      out.push(`<text class="bt-muted" x="${r1((this.x0 + this.x1) / 2)}" y="${r1((this.y0 + this.y1) / 2)}" text-anchor="middle">no steps</text>`);
    }
    out.push('</svg>');
    return out.join('\n') + '\n';
  }

  private defaultTitle(): string {
    if (!this.windows.length) return 'busdma timeline';
    const file = this.windows[0].file.split(/[\\/]/).pop() ?? '';
    return `${file} — ${this.windows.map((x) => x.kernel).join(' vs ')}`;
  }

  private style(kinds: string[]): string {
    const allKinds = [...new Set([...KNOWN_KINDS, ...kinds])];
    let css = themeCss(this.theme, allKinds);
    if (this.auto) css += `\n@media (prefers-color-scheme: dark){\n${themeCss(mergeTheme(DARK_THEME, {}), allKinds)}\n}`;
    const nonce = this.opts.styleNonce ? ` nonce="${escapeXml(this.opts.styleNonce)}"` : '';
    return `<style${nonce}>\n${css}\n</style>`;
  }

  private axes(yStep: number): string {
    const { fs } = this;
    const o: string[] = ['<g class="bt-axes">'];
    // y: page counts
    for (let v = 0; v <= this.yMax; v += yStep) {
      const y = r1(this.yOf(v));
      o.push(`<line class="bt-grid" x1="${r1(this.x0)}" y1="${y}" x2="${r1(this.x1)}" y2="${y}" stroke-width="1"/>`);
      o.push(`<text class="bt-muted bt-ytick" data-value="${v}" x="${r1(this.x0 - 6)}" y="${r1(y + fs * 0.35)}" text-anchor="end">${formatCount(v)}</text>`);
    }
    o.push(`<text class="bt-muted" x="${r1(this.x0 - 6)}" y="${r1(this.y0 - 6)}" text-anchor="end">pages</text>`);
    // x: steps
    const span = this.toStep - this.fromStep + 1;
    const xStep = niceStep(span, Math.max(2, Math.floor((this.x1 - this.x0) / 90)));
    const firstTick = Math.ceil(this.fromStep / xStep) * xStep;
    const ticks: number[] = [];
    if (this.fromStep < firstTick && firstTick - this.fromStep > xStep / 3) ticks.push(this.fromStep);
    for (let s = firstTick; s <= this.toStep; s += xStep) ticks.push(s);
    if (!ticks.length) ticks.push(this.fromStep);
    for (const s of ticks) {
      const x = r1(this.xOfStep(s));
      o.push(`<line class="bt-axis" x1="${x}" y1="${r1(this.y1)}" x2="${x}" y2="${r1(this.y1 + 4)}" stroke-width="1"/>`);
      o.push(`<text class="bt-muted bt-xtick" data-value="${s}" x="${x}" y="${r1(this.y1 + fs + 5)}" text-anchor="middle">${formatCount(s)}</text>`);
    }
    o.push(`<line class="bt-axis" x1="${r1(this.x0)}" y1="${r1(this.y1)}" x2="${r1(this.x1)}" y2="${r1(this.y1)}" stroke-width="1"/>`);
    o.push(`<line class="bt-axis" x1="${r1(this.x0)}" y1="${r1(this.y0)}" x2="${r1(this.x0)}" y2="${r1(this.y1)}" stroke-width="1"/>`);
    o.push(`<text class="bt-muted" x="${r1(this.x1)}" y="${r1(this.y1 + 2 * fs + 10)}" text-anchor="end">step</text>`);
    o.push('</g>');
    return o.join('\n');
  }

  /** x of a window's column: the middle of the steps it covers */
  private xOfColumn(win: TimelineWindow, c: number): number {
    return this.xOfStep((win.starts[c] + win.starts[c + 1] - 1) / 2);
  }

  private seriesPath(wi: number, zone: string, field: CounterField, s: ColumnSeries): string {
    const win = this.windows[wi];
    let d = '';
    let pen = false;
    let drawn = 0;
    let min = Infinity, max = -Infinity;
    const n = s.max.length;
    for (let c = 0; c < n; c++) {
      const lo = s.min[c], hi = s.max[c];
      if (hi === ABSENT) { pen = false; continue; }
      drawn++;
      if (lo < min) min = lo;
      if (hi > max) max = hi;
      const first = s.first[c], last = s.last[c];
      const end = last !== ABSENT ? last : first !== ABSENT ? first : lo;
      const vals: number[] = [];
      if (first !== ABSENT) vals.push(first);
      if (Math.abs(end - hi) <= Math.abs(end - lo)) vals.push(lo, hi); else vals.push(hi, lo);
      if (last !== ABSENT) vals.push(last);
      const x = r1(this.xOfColumn(win, c));
      const startedHere = !pen;
      let prev = NaN;
      let pts = 0;
      for (const v of vals) {
        if (v === prev) continue;
        prev = v;
        d += `${pen ? 'L' : 'M'}${x},${r1(this.yOf(v))}`;
        pen = true;
        pts++;
      }
      // a lone point (absent on both sides) would draw nothing: give it a tiny width
      if (startedHere && pts === 1 && (c + 1 >= n || s.max[c + 1] === ABSENT)) d += 'h0.6';
      if (last === ABSENT) pen = false;
    }
    if (!drawn) return '';
    const st = FIELD_STYLE[field];
    const cls = zone === GLOBAL_ZONE && !this.comparing ? 'bt-cg' : `bt-c${this.colourIndex(wi, zone)}`;
    const width = zone === GLOBAL_ZONE ? 1 : st.width;
    const label = zone === GLOBAL_ZONE ? 'global.total_bpages' : `${zone}.${FIELD_SYSCTL[field]}`;
    return `<path class="bt-s ${cls} bt-f-${field}" data-kernel="${escapeXml(win.kernel)}" data-zone="${escapeXml(zone)}" data-field="${field}" data-min="${min}" data-max="${max}" data-columns="${drawn}" fill="none" stroke="#888" stroke-width="${width}" stroke-linejoin="round" stroke-linecap="round"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''} d="${d}"><title>${escapeXml(`${win.kernel}: ${label}, ${min}..${max}`)}</title></path>`;
  }

  private markers(lanes: number): string {
    if (!lanes) return '';
    const o: string[] = ['<g class="bt-markers">'];
    this.windows.forEach((win, wi) => {
      const y = r1(this.laneTop + wi * this.laneH + this.laneH / 2);
      if (this.comparing) {
        o.push(`<text class="bt-t${this.colourIndex(wi, '')} bt-lane-label" x="${r1(this.x0 - 6)}" y="${r1(y + this.fs * 0.35)}" text-anchor="end">${escapeXml(win.kernel)}</text>`);
      }
      for (const m of win.markers) {
        if (m.zone && !this.visibleZone(m.zone)) continue;
        if (m.column >= win.columns) continue;
        const x = this.xOfColumn(win, m.column);
        const where = `step ${m.step}${m.line ? `, line ${m.line}` : ''}`;
        const text = m.count > 1
          ? `${win.kernel}: ${m.count} ${m.kind} events, first at ${where}: ${m.message}`
          : `${win.kernel}: ${m.kind} at ${where}: ${m.message}`;
        const zoneAttr = m.zone ? ` data-zone="${escapeXml(m.zone)}"` : '';
        o.push(`<g class="bt-marker" data-kind="${escapeXml(m.kind)}" data-step="${m.step}" data-line="${m.line}" data-count="${m.count}" data-kernel="${escapeXml(win.kernel)}"${zoneAttr}><title>${escapeXml(text)}</title><path class="bt-m-${escapeXml(m.kind)}" d="${markerPath(m.kind, x, y)}"/></g>`);
      }
    });
    o.push('</g>');
    return o.join('\n');
  }

  private divergenceMarker(d: Divergence): string {
    if (d.step < this.fromStep || d.step > this.toStep) {
      return `<g class="bt-div" data-step="${d.step}" data-offscreen="true"><title>${escapeXml(`diverges at ${describeDivergence(d)}`)}</title></g>`;
    }
    const x = r1(this.xOfStep(d.step));
    const right = x > (this.x0 + this.x1) / 2;
    const label = `diverges at step ${d.step}${d.line ? ` (line ${d.line})` : ''}`;
    return `<g class="bt-div" data-step="${d.step}" data-line="${d.line}"${d.zone ? ` data-zone="${escapeXml(d.zone)}"` : ''}${d.field ? ` data-field="${d.field}"` : ''}>`
      + `<title>${escapeXml(`first divergence: ${describeDivergence(d)}`)}</title>`
      + `<line x1="${x}" y1="${r1(this.y0)}" x2="${x}" y2="${r1(this.y1)}" stroke="#e11d48" stroke-width="1.5" stroke-dasharray="5 3"/>`
      + `<text x="${right ? r1(x - 4) : r1(x + 4)}" y="${r1(this.y0 + this.fs + 2)}" text-anchor="${right ? 'end' : 'start'}" font-weight="600">${escapeXml(label)}</text>`
      + '</g>';
  }

  private cursor(): string {
    const s = this.opts.cursorStep;
    const visible = s !== undefined && s >= this.fromStep - 1 && s <= this.toStep;
    const x = visible ? r1(Math.min(this.x1, Math.max(this.x0, this.xOfStep(s!)))) : 0;
    return `<line class="bt-cursor" id="bt-cursor" data-step="${s ?? ''}" x1="${x}" y1="${r1(this.laneTop)}" x2="${x}" y2="${r1(this.y1)}" stroke="#3b82f6" stroke-width="1.5" visibility="${visible ? 'visible' : 'hidden'}" pointer-events="none"/>`;
  }

  private legend(legend: { placed: { item: LegendItem; x: number; row: number }[] }, top: number, rowH: number): string {
    const o: string[] = ['<g class="bt-legend">'];
    for (const { item, x, row } of legend.placed) {
      const y = r1(top + row * rowH + rowH / 2);
      o.push(`<g class="bt-legend-item" data-legend="${item.key}" data-value="${escapeXml(item.value)}">${item.draw(x, y)}<text class="bt-text" x="${r1(x + 24)}" y="${r1(y + this.fs * 0.35)}">${escapeXml(item.label)}</text></g>`);
    }
    o.push('</g>');
    return o.join('\n');
  }
}

// A wider grammar-based trace generator for the fuzzer (npm run fuzz) and its quick seeded run in
// npm test. gen.ts makes call sequences that mostly act on live handles; this one covers the
// rest of the language: header lines, nested `repeat ... as VAR` blocks with indexed handles,
// named arguments in any order with computed values, expect/print over every field, log,
// sysctl prefixes, comments, CRLF, tabs. `validTraceArb` traces pass the static checks;
// `hostileTraceArb` then damages them at the token and line level (JavaScript property names,
// numbers past 64 bits, deep nesting, stray braces, huge repeats), so anything may happen
// except a crash, a hang or a diagnostic outside the file.
import fc from 'fast-check';

export type Kernel = 'legacy' | 'd47521' | 'd48182' | 'r291142';
export const KERNEL_LIST: Kernel[] = ['legacy', 'd47521', 'd48182', 'r291142'];

// ---- expressions ---------------------------------------------------------------------------------

export type E =
  | { k: 'lit'; v: string }
  | { k: 'name'; v: string }
  | { k: 'loop'; i: number }
  | { k: 'zone'; z: number; f: string }
  | { k: 'tagf'; h: number; f: string }
  | { k: 'mapf'; h: number; f: string }
  | { k: 'un'; op: string; a: E }
  | { k: 'bin'; op: string; a: E; b: E }
  | { k: 'paren'; a: E };

const NUMS = [
  '0', '1', '2', '3', '7', '8', '16', '4096', '4095', '4097', '65536', '0x0', '0x1000', '0xfff', '0x1_0000', '0x1_0000_0000',
  '0xffff_ffff', '0xffff_ffff_ffff_ffff', '0x8000_0000_0000_0000', '18446744073709551615', '2K', '4K', '64K', '1M', '32M',
  '4G', '16G', '1T', '16T', '0x1_8000_0000', '1_000', '0x7fff_ffff',
];
const CONSTS = [
  'BUS_SPACE_MAXADDR', 'BUS_SPACE_MAXADDR_32BIT', 'BUS_SPACE_MAXADDR_24BIT', 'BUS_SPACE_MAXSIZE', 'BUS_SPACE_MAXSIZE_32BIT',
  'BUS_SPACE_MAXSIZE_24BIT', 'PAGE_SIZE', 'MCLBYTES', 'MJUMPAGESIZE', 'MJUM9BYTES', 'MJUM16BYTES', 'BUS_DMA_ALLOCNOW',
  'BUS_DMA_WAITOK', 'BUS_DMA_NOWAIT', 'BUS_DMA_COHERENT', 'BUS_DMA_KEEP_PG_OFFSET', 'BUS_DMA_ZERO', 'BUS_DMASYNC_PREREAD',
  'BUS_DMASYNC_POSTREAD', 'BUS_DMASYNC_PREWRITE', 'BUS_DMASYNC_POSTWRITE', 'EINPROGRESS', 'ENOMEM', 'EBUSY', 'EINVAL', 'EFBIG',
];
const BUILTINS = ['errno', 'cb_error', 'leaked_bpages', 'steps', 'global.total_bpages', 'global.zone_count'];
const ZONE_F = ['total_bpages', 'free_bpages', 'reserved_bpages', 'active_bpages', 'total_bounced', 'total_deferred', 'map_count', 'lowaddr', 'alignment', 'refcount', 'tags', 'domain', 'destroyed'];
const TAG_F = ['map_count', 'lowaddr', 'highaddr', 'alignment', 'boundary', 'maxsize', 'nsegments', 'maxsegsz', 'bounce_zone', 'could_bounce', 'min_alloc_comp', 'flags', 'maxpages'];
const MAP_F = ['pagesneeded', 'pagesreserved', 'bpages', 'state', 'cb_error', 'nsegs'];
const BINOPS = ['+', '-', '*', '/', '%', '|', '&', '^', '<<', '>>', '==', '!=', '<', '<=', '>', '>=', '&&', '||'];

const leafArb: fc.Arbitrary<E> = fc.oneof(
  { arbitrary: fc.constantFrom(...NUMS).map((v): E => ({ k: 'lit', v })), weight: 4 },
  { arbitrary: fc.constantFrom(...CONSTS).map((v): E => ({ k: 'name', v })), weight: 2 },
  { arbitrary: fc.constantFrom(...BUILTINS).map((v): E => ({ k: 'name', v })), weight: 3 },
  { arbitrary: fc.nat(3).map((i): E => ({ k: 'loop', i })), weight: 2 },
  { arbitrary: fc.record({ z: fc.nat(3), f: fc.constantFrom(...ZONE_F) }).map((r): E => ({ k: 'zone', ...r })), weight: 3 },
  { arbitrary: fc.record({ h: fc.nat(4), f: fc.constantFrom(...TAG_F) }).map((r): E => ({ k: 'tagf', ...r })), weight: 1 },
  { arbitrary: fc.record({ h: fc.nat(6), f: fc.constantFrom(...MAP_F) }).map((r): E => ({ k: 'mapf', ...r })), weight: 1 },
);

export const exprArb: fc.Arbitrary<E> = fc.letrec<{ e: E }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { arbitrary: leafArb, weight: 5 },
    { arbitrary: fc.record({ op: fc.constantFrom('!', '-', '~'), a: tie('e') }).map((r): E => ({ k: 'un', ...r })), weight: 1 },
    { arbitrary: fc.record({ op: fc.constantFrom(...BINOPS), a: tie('e'), b: tie('e') }).map((r): E => ({ k: 'bin', ...r })), weight: 3 },
    { arbitrary: tie('e').map((a): E => ({ k: 'paren', a })), weight: 1 },
  ),
})).e;

/** Names in scope while rendering: the loop variables of the enclosing repeats, outermost first. */
interface Ctx { vars: string[] }

function renderIndex(n: number, ctx: Ctx): string {
  if (!ctx.vars.length) return String(n % 4);
  const v = ctx.vars[n % ctx.vars.length];
  return [v, `${v} + 1`, `(${v} * 3) % 4`, `${v} % 2`][n % 4];
}

function tagRef(h: number, ctx: Ctx): string {
  return h < 4 ? `t${h}` : `tt[${renderIndex(h, ctx)}]`;
}

function mapRef(h: number, ctx: Ctx): string {
  return h < 6 ? `m${h}` : `mm[${renderIndex(h, ctx)}]`;
}

export function renderExpr(e: E, ctx: Ctx): string {
  switch (e.k) {
    case 'lit':
    case 'name':
      return e.v;
    case 'loop':
      return ctx.vars.length ? ctx.vars[e.i % ctx.vars.length] : String(e.i);
    case 'zone':
      return `zone${e.z}.${e.f}`;
    case 'tagf':
      return `${tagRef(e.h, ctx)}.${e.f}`;
    case 'mapf':
      return `${mapRef(e.h, ctx)}.${e.f}`;
    case 'un':
      return `${e.op}${e.a.k === 'bin' ? `(${renderExpr(e.a, ctx)})` : renderExpr(e.a, ctx)}`;
    case 'bin':
      return `${renderExpr(e.a, ctx)} ${e.op} ${renderExpr(e.b, ctx)}`;
    case 'paren':
      return `(${renderExpr(e.a, ctx)})`;
  }
}

// ---- statements ----------------------------------------------------------------------------------

/** A value for a named argument: mostly a sensible one, sometimes computed, sometimes anything. */
type ArgVal = { k: 'pick'; v: string } | { k: 'expr'; e: E } | { k: 'loopmul'; v: string };

const argValArb = (picks: string[]): fc.Arbitrary<ArgVal> => fc.oneof(
  { arbitrary: fc.constantFrom(...picks).map((v): ArgVal => ({ k: 'pick', v })), weight: 8 },
  { arbitrary: fc.constantFrom(...picks).map((v): ArgVal => ({ k: 'loopmul', v })), weight: 2 },
  { arbitrary: exprArb.map((e): ArgVal => ({ k: 'expr', e })), weight: 1 },
);

function renderArg(a: ArgVal, ctx: Ctx): string {
  if (a.k === 'pick') return a.v;
  if (a.k === 'loopmul') return ctx.vars.length ? `${a.v} * (${ctx.vars[ctx.vars.length - 1]} + 1)` : a.v;
  return renderExpr(a.e, ctx);
}

const TAG_ARGS: Record<string, string[]> = {
  alignment: ['1', '1', '2', '8', '4K', '8K', '0', '3', 'PAGE_SIZE'],
  boundary: ['0', '0', '4K', '64K', '2K', '1'],
  lowaddr: ['BUS_SPACE_MAXADDR_32BIT', 'BUS_SPACE_MAXADDR_24BIT', 'BUS_SPACE_MAXADDR', '0x7fff_ffff', '16G - 1', '0x10_0000', '0xfff_ffff'],
  highaddr: ['BUS_SPACE_MAXADDR', 'BUS_SPACE_MAXADDR_32BIT', '0'],
  maxsize: ['2K', '4K', 'MCLBYTES', '8K', '64K', '12K', '1', '4097', '32M', 'BUS_SPACE_MAXSIZE_32BIT', '70K', 'MJUM9BYTES'],
  nsegments: ['1', '2', '4', '16', '35', '0', '8192'],
  maxsegsz: ['4K', '2K', '64K', 'BUS_SPACE_MAXSIZE_32BIT', '1', '0'],
  flags: ['0', 'BUS_DMA_ALLOCNOW', 'BUS_DMA_KEEP_PG_OFFSET', 'BUS_DMA_ALLOCNOW | BUS_DMA_COHERENT'],
};
const BUF_ADDRS = ['0x1000', '0x10_0000', '0xfff_f800', '0xffff_c000', '0x1_0000_0000', '0x1_8000_0000', '0x3_ffff_f000', '0x100_0000', '0xff_ff00', '0x7fff_f000'];
const BUF_LENS = ['1', '2K', '4K', 'MCLBYTES', '8K', '12K', '16K', '64K', '4097', '70K'];

export type S =
  | { k: 'tag'; h: number; args: [string, ArgVal][]; parent: number | null }
  | { k: 'map'; h: number; t: number; flags: boolean }
  | { k: 'load'; t: number; m: number; bufs: [ArgVal, ArgVal][]; list: boolean; flags: string | null; check: boolean }
  | { k: 'unload' | 'mapdestroy'; t: number; m: number }
  | { k: 'tagdestroy'; t: number }
  | { k: 'sync'; t: number; m: number; op: string }
  | { k: 'thread' }
  | { k: 'expect'; e: E; msg: boolean }
  | { k: 'print'; e: E | string }
  | { k: 'log'; text: string }
  | { k: 'sysctl'; prefix: string }
  | { k: 'comment'; text: string }
  | { k: 'repeat'; count: string | E; named: boolean; body: S[] };

const H_TAG = fc.nat(5);   // 0..3 plain, 4..5 indexed tt[...]
const H_MAP = fc.nat(7);   // 0..5 plain, 6..7 indexed mm[...]

const tagStmt: fc.Arbitrary<S> = fc.record({
  h: H_TAG,
  parent: fc.option(H_TAG, { nil: null, freq: 3 }),
  args: fc.shuffledSubarray(Object.keys(TAG_ARGS), { minLength: 0, maxLength: 8 })
    .chain((keys) => fc.tuple(...keys.map((k) => argValArb(TAG_ARGS[k]).map((v) => [k, v] as [string, ArgVal])))),
}).map((r): S => ({ k: 'tag', ...r }));

const simpleStmt: fc.Arbitrary<S> = fc.oneof(
  { arbitrary: tagStmt, weight: 3 },
  { arbitrary: fc.record({ h: H_MAP, t: H_TAG, flags: fc.boolean() }).map((r): S => ({ k: 'map', ...r })), weight: 4 },
  {
    arbitrary: fc.record({
      t: H_TAG, m: H_MAP,
      bufs: fc.array(fc.tuple(argValArb(BUF_ADDRS), argValArb(BUF_LENS)), { minLength: 1, maxLength: 3 }),
      list: fc.boolean(), flags: fc.constantFrom(null, null, 'BUS_DMA_NOWAIT', 'BUS_DMA_WAITOK', 'BUS_DMA_NOWAIT | BUS_DMA_ZERO'),
      check: fc.boolean(),
    }).map((r): S => ({ k: 'load', ...r })),
    weight: 6,
  },
  { arbitrary: fc.record({ k: fc.constantFrom('unload' as const, 'mapdestroy' as const), t: H_TAG, m: H_MAP }), weight: 4 },
  { arbitrary: fc.record({ t: H_TAG }).map((r): S => ({ k: 'tagdestroy', ...r })), weight: 2 },
  {
    arbitrary: fc.record({
      t: H_TAG, m: H_MAP,
      op: fc.constantFrom('BUS_DMASYNC_PREWRITE', 'BUS_DMASYNC_POSTREAD', 'BUS_DMASYNC_PREREAD | BUS_DMASYNC_PREWRITE', 'BUS_DMASYNC_POSTWRITE', '0', '15'),
    }).map((r): S => ({ k: 'sync', ...r })),
    weight: 2,
  },
  { arbitrary: fc.constant<S>({ k: 'thread' }), weight: 2 },
  { arbitrary: fc.record({ e: exprArb, msg: fc.boolean() }).map((r): S => ({ k: 'expect', ...r })), weight: 2 },
  {
    arbitrary: fc.oneof(exprArb, fc.constantFrom('zone0', 'zone1', 't0', 'm0', 'tt[0]', '"a string"')).map((e): S => ({ k: 'print', e })),
    weight: 1,
  },
  { arbitrary: fc.constantFrom('hello', 'say \\"hi\\"', 'tabs\\tand\\\\slashes', '# not a comment', 'π ≠ 3 ✓').map((text): S => ({ k: 'log', text })), weight: 1 },
  { arbitrary: fc.constantFrom('', 'hw', 'hw.busdma', 'hw.busdma.zone0', 'hw.busdma.zone1.total_bpages', 'hw.busdma.total_bpages').map((prefix): S => ({ k: 'sysctl', prefix })), weight: 1 },
  { arbitrary: fc.constantFrom('a comment', '', 'repeat 9 {', 'x = bus_dma_tag_create(').map((text): S => ({ k: 'comment', text })), weight: 1 },
);

const COUNTS = ['0', '1', '2', '3', '4', '5', '8', '17', '100', '1000', '10000000'];

export const stmtsArb: fc.Arbitrary<S[]> = fc.letrec<{ s: S; list: S[] }>((tie) => ({
  s: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { arbitrary: simpleStmt, weight: 8 },
    {
      arbitrary: fc.record({
        count: fc.oneof({ arbitrary: fc.constantFrom(...COUNTS), weight: 6 }, { arbitrary: exprArb, weight: 1 }),
        named: fc.boolean(),
        body: tie('list'),
      }).map((r): S => ({ k: 'repeat', ...(r as { count: string | E; named: boolean; body: S[] }) })),
      weight: 2,
    },
  ),
  list: fc.array(tie('s'), { maxLength: 8 }),
})).list;

// ---- whole traces --------------------------------------------------------------------------------

export interface Layout { crlf: boolean; tabs: boolean; blank: number; trailing: boolean }

export interface GenTrace {
  header: { machine: string | null; kernel: Kernel | null };
  body: S[];
  layout: Layout;
}

const LOOPVARS = ['i', 'j', 'k', 'n', 'w'];

function renderStmts(stmts: S[], ctx: Ctx, depth: number, out: string[], lay: Layout): void {
  const ind = (lay.tabs ? '\t' : '  ').repeat(depth);
  const push = (s: string) => out.push(ind + s + (lay.trailing ? ' \t' : ''));
  for (const s of stmts) {
    switch (s.k) {
      case 'tag': {
        const args = s.args.map(([k, v]) => `${k}: ${renderArg(v, ctx)}`);
        if (s.parent !== null) args.splice(s.parent % (args.length + 1), 0, `parent: ${tagRef(s.parent, ctx)}`);
        push(`${tagRef(s.h, ctx)} = bus_dma_tag_create(${args.join(', ')})`);
        break;
      }
      case 'map':
        push(`${mapRef(s.h, ctx)} = bus_dmamap_create(${tagRef(s.t, ctx)}${s.flags ? ', flags: BUS_DMA_NOWAIT' : ''})`);
        break;
      case 'load': {
        const b = s.bufs.map(([a, l]) => `${renderArg(a, ctx)}:${renderArg(l, ctx)}`);
        const buf = s.list || b.length > 1 ? `[${b.join(', ')}]` : b[0];
        push(`bus_dmamap_load(${tagRef(s.t, ctx)}, ${mapRef(s.m, ctx)}, ${buf}${s.flags ? `, flags: ${s.flags}` : ''})`);
        if (s.check) push('expect errno == 0 || errno == EINPROGRESS || errno == ENOMEM || cb_error == EFBIG, "load"');
        break;
      }
      case 'unload':
        push(`bus_dmamap_unload(${tagRef(s.t, ctx)}, ${mapRef(s.m, ctx)})`);
        break;
      case 'mapdestroy':
        push(`bus_dmamap_destroy(${tagRef(s.t, ctx)}, ${mapRef(s.m, ctx)})`);
        break;
      case 'tagdestroy':
        push(`bus_dma_tag_destroy(${tagRef(s.t, ctx)})`);
        break;
      case 'sync':
        push(`bus_dmamap_sync(${tagRef(s.t, ctx)}, ${mapRef(s.m, ctx)}, ${s.op})`);
        break;
      case 'thread':
        push('busdma_thread()');
        break;
      case 'expect':
        push(`expect ${renderExpr(s.e, ctx)}${s.msg ? ', "generated \\"expect\\""' : ''}`);
        break;
      case 'print':
        push(`print ${typeof s.e === 'string' ? s.e : renderExpr(s.e, ctx)}`);
        break;
      case 'log':
        push(`log "${s.text}"`);
        break;
      case 'sysctl':
        push(s.prefix ? `sysctl ${s.prefix}` : 'sysctl');
        break;
      case 'comment':
        push(`# ${s.text}`);
        break;
      case 'repeat': {
        const v = s.named && depth < LOOPVARS.length ? LOOPVARS[depth] : undefined;
        const count = typeof s.count === 'string' ? s.count : `(${renderExpr(s.count, ctx)}) % 6`;
        push(`repeat ${count}${v ? ` as ${v}` : ''} {`);
        renderStmts(s.body, v ? { vars: [...ctx.vars, v] } : ctx, depth + 1, out, lay);
        push('}');
        break;
      }
    }
  }
}

export function renderTrace(g: GenTrace): string {
  const lines: string[] = ['# generated by test/fuzz-gen.ts'];
  if (g.header.machine) lines.push(`machine maxmem=${g.header.machine}`);
  if (g.header.kernel) lines.push(`kernel ${g.header.kernel}`);
  // Every handle is assigned somewhere, so the static checks pass; the loop never runs.
  lines.push('repeat 0 {');
  for (let t = 0; t < 4; t++) lines.push(`  t${t} = bus_dma_tag_create()`);
  lines.push('  tt[0] = bus_dma_tag_create()');
  for (let m = 0; m < 6; m++) lines.push(`  m${m} = bus_dmamap_create(t0)`);
  lines.push('  mm[0] = bus_dmamap_create(t0)');
  lines.push('}');
  const body: string[] = [];
  renderStmts(g.body, { vars: [] }, 0, body, g.layout);
  for (let i = 0; i < body.length; i++) {
    lines.push(body[i]);
    if (g.layout.blank && i % (g.layout.blank + 1) === g.layout.blank) lines.push('');
  }
  return lines.join(g.layout.crlf ? '\r\n' : '\n') + (g.layout.crlf ? '\r\n' : '\n');
}

export const genTraceArb: fc.Arbitrary<GenTrace> = fc.record({
  header: fc.record({
    machine: fc.constantFrom(null, null, '16G', '4G', '2G', '64M', '1M', '8T', '4G + 512M', '0x1_0000_0000'),
    kernel: fc.constantFrom(null, null, null, ...KERNEL_LIST),
  }),
  body: stmtsArb,
  layout: fc.record({ crlf: fc.boolean(), tabs: fc.boolean(), blank: fc.nat(3), trailing: fc.boolean() }),
});

export interface FuzzCase { text: string; kernel: Kernel; maxSteps: number }

const maxStepsArb = fc.constantFrom(50, 400, 2000, 5000);

/** Traces that pass the static checks (a parse error is a generator bug). */
export const validTraceArb: fc.Arbitrary<FuzzCase> = fc.record({ g: genTraceArb, kernel: fc.constantFrom(...KERNEL_LIST), maxSteps: maxStepsArb })
  .map((r) => ({ text: renderTrace(r.g), kernel: r.kernel, maxSteps: r.maxSteps }));

// ---- hostile damage --------------------------------------------------------------------------------

export const HOSTILE_TOKENS = [
  'constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'prototype', 'this', 'process', 'require',
  'globalThis', 'eval', 'Function', '__defineGetter__', 'isPrototypeOf', 'toLocaleString', 'propertyIsEnumerable',
  '99999999999999999999999', '0x1_0000_0000_0000_0000', '18446744073709551616', '18446744073709551615', '1e9', 'NaN',
  'Infinity', '0x', '0x_', '1__0', '16Q', '17T', '99999999T', '-0', '0b101', '1.5', '"unterminated', '"\\u0000"', '@', '$', '`', ';',
  '\u00a0', '\u200b', 'é', '\ud800', 'zone99999999999999999999', 'zone0.__proto__', 't0.constructor', 'tt[99999999999999999999]',
];

export type Damage =
  | { k: 'token'; at: number; with: string }
  | { k: 'line'; at: number; with: string }
  | { k: 'dropline'; at: number }
  | { k: 'dupline'; at: number }
  | { k: 'deep'; at: number; n: number; open: string; close: string };

const HOSTILE_LINES = [
  '}', '{', 'repeat 10000000 {', 'repeat 10000000 as i {', 'repeat 0 {', 'repeat 1 {', 'machine maxmem=constructor',
  'machine maxmem=99999999999999999999999', 'machine maxmem=0', 'machine maxmem=16G', 'kernel __proto__', 'kernel d48182',
  'constructor = bus_dma_tag_create()', '__proto__ = bus_dmamap_create(t0)', 'x = bus_dma_tag_create(parent: x)',
  'print constructor', 'expect __proto__ == 0', 'expect toString', 'print t0.__proto__', 'print zone0.constructor',
  'bus_dmamap_load(t0, m0, 0xffff_ffff_ffff_f000:0x2000)', 'bus_dmamap_load(t0, m0, 0:0)', 'bus_dmamap_load(t0, m0, [])',
  'sysctl hw.busdma.__proto__', 'sysctl constructor', 'log "\\', 'print 1 / 0', 'print 0 - 1', 'expect steps < 0',
  'tt[0xffff_ffff_ffff_ffff] = bus_dma_tag_create(nsegments: 0x1_0000_0000)',
  'x[constructor] = bus_dma_tag_create()', 'busdma_thread(', 'busdma_thread())', 'bus_dmamap_sync(t0, m0)',
  '\uFEFFrepeat 1 {', '\r', '\t', '#'.repeat(3) + ' comment', 'x'.repeat(5000),
];

export const damageArb: fc.Arbitrary<Damage> = fc.oneof(
  { arbitrary: fc.record({ k: fc.constant('token' as const), at: fc.nat(), with: fc.constantFrom(...HOSTILE_TOKENS) }), weight: 5 },
  { arbitrary: fc.record({ k: fc.constant('line' as const), at: fc.nat(), with: fc.constantFrom(...HOSTILE_LINES) }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constant('dropline' as const), at: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('dupline' as const), at: fc.nat() }), weight: 1 },
  {
    arbitrary: fc.record({
      k: fc.constant('deep' as const), at: fc.nat(), n: fc.constantFrom(10, 63, 64, 65, 200, 300, 5000, 100_000),
      open: fc.constantFrom('(', '-', '!', '~', '((', '1 + ', '[', 'repeat 1 {\n', 'repeat 1000 {\n', 'repeat 10000000 as i {\n', 'repeat 0 {\n'),
      close: fc.constantFrom(')', '', ']', '}\n', '}\n', '}\n'),
    }),
    weight: 1,
  },
);

const TOKEN_RE = /[A-Za-z_][A-Za-z0-9_]*|0x[0-9A-Fa-f_]+|[0-9][0-9_]*[KMGT]?/g;

export function applyDamage(text: string, damage: Damage[]): string {
  let lines = text.split('\n');
  for (const d of damage) {
    const li = d.at % lines.length;
    switch (d.k) {
      case 'token': {
        const joined = lines.join('\n');
        const all = [...joined.matchAll(TOKEN_RE)];
        if (!all.length) break;
        const m = all[d.at % all.length];
        const s = joined.slice(0, m.index!) + d.with + joined.slice(m.index! + m[0].length);
        lines = s.split('\n');
        break;
      }
      case 'line':
        lines.splice(li, 0, d.with);
        break;
      case 'dropline':
        lines.splice(li, 1);
        break;
      case 'dupline':
        lines.splice(li, 0, lines[li]);
        break;
      case 'deep': {
        const nest = d.open.endsWith('\n')
          ? d.open.repeat(Math.min(d.n, 2000)) + d.close.repeat(Math.min(d.n, 2000))
          : `expect ${d.open.repeat(d.n)}1${d.close.repeat(d.n)} == 1`;
        lines.splice(li, 0, ...nest.split('\n'));
        break;
      }
    }
  }
  return lines.join('\n');
}

/** A valid trace, damaged: anything may be reported, nothing may crash or hang. */
export const hostileTraceArb: fc.Arbitrary<FuzzCase> = fc.record({
  base: validTraceArb,
  damage: fc.array(damageArb, { minLength: 1, maxLength: 4 }),
}).map((r) => ({ ...r.base, text: applyDamage(r.base.text, r.damage) }));

// Random traces for property tests and the fuzzer: grammar-based, built from fast-check
// arbitraries so that failures shrink to a small trace.
import fc from 'fast-check';

const LOWADDRS = ['BUS_SPACE_MAXADDR_32BIT', 'BUS_SPACE_MAXADDR_24BIT', 'BUS_SPACE_MAXADDR', '0x7fff_ffff', '16G - 1', '32G - 1'];
const SIZES = ['2K', '4K', 'MCLBYTES', '8K', '64K', '12K', '1', '4097', '32M'];
const ADDRS = ['0x1000', '0x10_0000', '0xfff_f800', '0xffff_c000', '0x1_0000_0000', '0x1_8000_0000', '0x3_ffff_f000', '0x100_0000', '0xff_ff00'];

export type Op =
  | { k: 'tag'; t: number; parent: number | null; low: string; align: string; bound: string; maxsize: string; nseg: number; flags: string }
  | { k: 'tagdestroy'; t: number }
  | { k: 'map'; t: number; m: number }
  | { k: 'mapdestroy'; t: number; m: number }
  | { k: 'load'; t: number; m: number; bufs: [string, string][]; nowait: boolean }
  | { k: 'unload'; t: number; m: number }
  | { k: 'sync'; t: number; m: number; op: string }
  | { k: 'thread' }
  | { k: 'expect' };

const T = fc.integer({ min: 0, max: 3 });
const M = fc.integer({ min: 0, max: 5 });

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    k: fc.constant('tag' as const), t: T, parent: fc.option(T, { nil: null }),
    low: fc.constantFrom(...LOWADDRS), align: fc.constantFrom('1', '1', '2', '4K', '8K', '0'),
    bound: fc.constantFrom('0', '0', '4K', '64K', '2K'), maxsize: fc.constantFrom(...SIZES),
    nseg: fc.integer({ min: 0, max: 40 }), flags: fc.constantFrom('0', '0', 'BUS_DMA_ALLOCNOW', 'BUS_DMA_KEEP_PG_OFFSET'),
  }),
  fc.record({ k: fc.constant('tagdestroy' as const), t: T }),
  fc.record({ k: fc.constant('map' as const), t: T, m: M }),
  fc.record({ k: fc.constant('map' as const), t: T, m: M }),
  fc.record({ k: fc.constant('mapdestroy' as const), t: T, m: M }),
  fc.record({
    k: fc.constant('load' as const), t: T, m: M,
    bufs: fc.array(fc.tuple(fc.constantFrom(...ADDRS), fc.constantFrom(...SIZES, '16K', '32K')), { minLength: 1, maxLength: 3 }),
    nowait: fc.boolean(),
  }),
  fc.record({ k: fc.constant('unload' as const), t: T, m: M }),
  fc.record({ k: fc.constant('sync' as const), t: T, m: M, op: fc.constantFrom('BUS_DMASYNC_PREWRITE', 'BUS_DMASYNC_POSTREAD', 'BUS_DMASYNC_PREWRITE | BUS_DMASYNC_POSTREAD', 'BUS_DMASYNC_PREREAD') }),
  fc.record({ k: fc.constant('thread' as const) }),
  fc.record({ k: fc.constant('expect' as const) }),
);

export function render(ops: Op[], maxmem: string, withRepeat: boolean): string {
  const lines: string[] = [`machine maxmem=${maxmem}`];
  // Declare every handle once so the trace passes the static checks.
  lines.push('repeat 0 {');
  for (let t = 0; t < 4; t++) lines.push(`  t${t} = bus_dma_tag_create()`);
  for (let m = 0; m < 6; m++) lines.push(`  m${m} = bus_dmamap_create(t0)`);
  lines.push('}');
  const body: string[] = [];
  for (const o of ops) {
    switch (o.k) {
      case 'tag': body.push(`t${o.t} = bus_dma_tag_create(${o.parent !== null ? `parent: t${o.parent}, ` : ''}lowaddr: ${o.low}, alignment: ${o.align}, boundary: ${o.bound}, maxsize: ${o.maxsize}, nsegments: ${o.nseg}, flags: ${o.flags})`); break;
      case 'tagdestroy': body.push(`bus_dma_tag_destroy(t${o.t})`); break;
      case 'map': body.push(`m${o.m} = bus_dmamap_create(t${o.t})`); break;
      case 'mapdestroy': body.push(`bus_dmamap_destroy(t${o.t}, m${o.m})`); break;
      case 'load': {
        const b = o.bufs.map(([a, l]) => `${a}:${l}`);
        body.push(`bus_dmamap_load(t${o.t}, m${o.m}, ${b.length === 1 ? b[0] : `[${b.join(', ')}]`}${o.nowait ? ', flags: BUS_DMA_NOWAIT' : ''})`);
        break;
      }
      case 'unload': body.push(`bus_dmamap_unload(t${o.t}, m${o.m})`); break;
      case 'sync': body.push(`bus_dmamap_sync(t${o.t}, m${o.m}, ${o.op})`); break;
      case 'thread': body.push('busdma_thread()'); break;
      case 'expect': body.push('expect leaked_bpages <= global.total_bpages + 1000000 || errno >= 0'); break;
    }
  }
  if (withRepeat) {
    lines.push('repeat 3 as i {');
    for (const b of body) lines.push('  ' + b);
    lines.push('}');
  } else {
    lines.push(...body);
  }
  return lines.join('\n') + '\n';
}

const tagOp = (t: number): fc.Arbitrary<Op> => fc.record({
  k: fc.constant('tag' as const), t: fc.constant(t), parent: fc.constant(null),
  low: fc.constantFrom('BUS_SPACE_MAXADDR_32BIT', 'BUS_SPACE_MAXADDR_24BIT', 'BUS_SPACE_MAXADDR_32BIT'),
  align: fc.constantFrom('1', '1', '2', '8K'), bound: fc.constantFrom('0', '0', '4K'),
  maxsize: fc.constantFrom(...SIZES), nseg: fc.integer({ min: 1, max: 16 }),
  flags: fc.constantFrom('0', '0', 'BUS_DMA_ALLOCNOW'),
});

/** A prelude that creates tags and maps, so the random calls mostly act on live handles. */
const preludeArb = fc.tuple(tagOp(0), tagOp(1), tagOp(2)).map((tags) => [
  ...tags,
  { k: 'map', t: 0, m: 0 }, { k: 'map', t: 0, m: 1 }, { k: 'map', t: 1, m: 2 },
  { k: 'map', t: 1, m: 3 }, { k: 'map', t: 2, m: 4 }, { k: 'map', t: 2, m: 5 },
] as Op[]);

/** Calls that pair each map with the tag it was created on (t = m >> 1 in the prelude). */
const pairedArb: fc.Arbitrary<Op> = fc.record({
  m: M,
  kind: fc.constantFrom('load', 'load', 'load', 'unload', 'unload', 'sync', 'mapdestroy', 'thread'),
  bufs: fc.array(fc.tuple(fc.constantFrom(...ADDRS), fc.constantFrom(...SIZES, '16K', '32K')), { minLength: 1, maxLength: 3 }),
  nowait: fc.boolean(),
}).map((r): Op => {
  const t = r.m >> 1;
  switch (r.kind) {
    case 'load': return { k: 'load', t, m: r.m, bufs: r.bufs as [string, string][], nowait: r.nowait };
    case 'unload': return { k: 'unload', t, m: r.m };
    case 'sync': return { k: 'sync', t, m: r.m, op: 'BUS_DMASYNC_PREWRITE' };
    case 'mapdestroy': return { k: 'mapdestroy', t, m: r.m };
    default: return { k: 'thread' };
  }
});

export const traceArb = fc.record({
  pre: preludeArb,
  rest: fc.array(fc.oneof({ arbitrary: pairedArb, weight: 4 }, { arbitrary: opArb, weight: 1 }), { minLength: 1, maxLength: 40 }),
  maxmem: fc.constantFrom('16G', '4G', '2G', '64M', '8T'),
  repeat: fc.boolean(),
  kernel: fc.constantFrom('legacy', 'd47521', 'd48182', 'r291142' as const),
}).map((r) => ({ text: render([...r.pre, ...r.rest], r.maxmem, r.repeat), kernel: r.kernel as 'legacy' | 'd47521' | 'd48182' | 'r291142' }));

// The x86 bounce-page code of FreeBSD (sys/x86/x86/busdma_bounce.c with
// sys/kern/subr_busdma_bounce.c), 14.x base, with the revision differences of
// busdma-model.md section 5 as strategies. Function names follow the kernel's. Section 8 of
// the model, confirmed against the compiled code, wins wherever the prose disagrees.

import {
  BUS_DMA_ALLOCNOW, BUS_DMA_COULD_BOUNCE, BUS_DMA_KEEP_PG_OFFSET, BUS_DMA_MIN_ALLOC_COMP,
  BUS_DMA_NOWAIT, BUS_DMASYNC_POSTREAD, BUS_DMASYNC_PREWRITE, EBUSY, EFBIG, EINPROGRESS,
  EINVAL, ENOMEM, MAX_BPAGES, errnoName, BUS_SPACE_MAXADDR,
} from './constants';
import { KERNELS, type KernelId, type KernelStrategy } from './kernels';
import {
  cloneState, newState, type Buffer, type BouncePage, type DmaMap, type Segment, type SimState,
  type Tag, type Zone,
} from './state';
import {
  PAGE_MASK, PAGE_SIZE, alignOk, atop, boundOk, hex, maxU, minU, ptoa, roundup2, toInt32,
  toUint32, truncPage, u64,
} from './u64';
import { Fifo } from './fifo';

export type EventKind =
  | 'leak' | 'refcount' | 'error' | 'misuse' | 'unreachable' | 'stall' | 'expect' | 'panic';

export interface CoreEvent {
  kind: EventKind;
  message: string;
  cause?: 'orphaned' | 'over_cap' | 'stranded';
  zone?: string;
  tag?: string;
  map?: string;
  from?: number;
  to?: number;
  pages?: number;
  /** Overrides the current statement's line (a stall points at the load that queued). */
  line?: number;
}

/** A KASSERT or panic() of the INVARIANTS kernel. Thrown before any state changes. */
export class KernelPanic extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelPanic';
  }
}

/** The simulator's own state broke one of the kernel's invariants: a bug here, not in the trace. */
export class InvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvariantError';
  }
}

/** A request the simulator refuses to carry out (it would not end in bounded time). */
export class SimLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimLimitError';
  }
}

export interface TagArgs {
  parent?: number;            // tag id
  alignment?: bigint;
  boundary?: bigint;
  lowaddr?: bigint;
  highaddr?: bigint;
  maxsize?: bigint;
  nsegments?: bigint;
  maxsegsz?: bigint;
  flags?: bigint;
}

export interface CallResult {
  errno: number;
  id?: number;                // the created tag or map
}

export interface LoadResult {
  errno: number;
  cb_error: number | null;    // null while the load is deferred (callback not run yet)
  nsegs: number;
}

const FOUR_GIB = 1n << 32n;
/** Chunks one load may walk one by one before the simulator gives up (skip-ahead covers the
 * common huge unbounced buffer; this only stops pathological maxsegsz/alignment mixes). */
const MAX_CHUNKS_PER_LOAD = 1 << 22;

export class BusDma {
  state: SimState;
  readonly kernel: KernelStrategy;
  /** Receives the events of every operation. */
  emit: (e: CoreEvent) => void = () => {};
  /** The trace line of the operation in progress (for waiting-list bookkeeping). */
  line = 0;
  /** ptoa(Maxmem), and maxpages by lowaddr: both fixed for a machine. */
  private readonly maxmemBytes: bigint;
  private readonly maxpagesByLowaddr = new Map<bigint, number>();

  constructor(kernel: KernelId, maxmemBytes: bigint = 16n << 30n, state?: SimState) {
    this.kernel = KERNELS[kernel];
    this.state = state ?? newState(kernel, atop(maxmemBytes));
    this.maxmemBytes = ptoa(this.state.maxmem);
  }

  snapshot(): SimState {
    return cloneState(this.state);
  }

  restore(s: SimState): void {
    this.state = cloneState(s);
  }

  // ---- lookups -------------------------------------------------------------------------

  zoneOf(t: Tag): Zone | undefined {
    return t.zone >= 0 ? this.state.zones[t.zone] : undefined;
  }

  private computeMaxpages(t: Tag): number {
    if (t.alignment > 1n) return MAX_BPAGES;
    const hit = this.maxpagesByLowaddr.get(t.lowaddr);
    if (hit !== undefined) return hit;
    const v = this.computeMaxpagesSlow(t);
    this.maxpagesByLowaddr.set(t.lowaddr, v);
    return v;
  }

  private computeMaxpagesSlow(t: Tag): number {
    // MIN(MAX_BPAGES, Maxmem - atop(lowaddr)) in unsigned long, then stored in an int:
    // a "negative" headroom wraps to a huge value and the cap becomes MAX_BPAGES (model 8.3).
    const headroom = u64(this.state.maxmem - atop(t.lowaddr));
    return toInt32(minU(BigInt(MAX_BPAGES), headroom));
  }

  // ---- bounce zones and pages (subr_busdma_bounce.c) ------------------------------------

  private alloc_bounce_zone(t: Tag): void {
    const s = this.state;
    for (const zid of s.zoneList) {
      const z = s.zones[zid];
      if (t.alignment <= z.alignment && t.lowaddr >= z.lowaddr) {
        t.zone = z.id;
        z.tags++;
        if (this.kernel.refcountedZones) z.refcount = (z.refcount ?? 0) + 1;
        return;
      }
    }
    const z: Zone = {
      id: s.zones.length,
      name: `zone${s.busdma_zonecount}`,
      lowaddr: t.lowaddr,
      alignment: maxU(t.alignment, PAGE_SIZE),
      domain: 0,
      total_bpages: 0, free_bpages: 0, reserved_bpages: 0, active_bpages: 0,
      total_bounced: 0, total_deferred: 0, map_count: 0,
      refcount: this.kernel.refcountedZones ? 1 : null,
      destroyed: false,
      bounce_page_list: new Fifo(),
      bounce_map_waitinglist: new Fifo(),
      tags: 1, overcap_bpages: 0, stranded_bpages: 0,
      line: this.line,
      allocator: t.lowaddr.toString(16),
    };
    s.busdma_zonecount++;
    s.zones.push(z);
    s.zoneList.push(z.id);
    t.zone = z.id;
    // The busdma kproc is created exactly once (model 8.12), with the first zone.
    s.busdma_thread_started = true;
  }

  /** contigmalloc(PAGE_SIZE, 0, lowaddr): deterministic, downwards, never reused. */
  private contigmalloc(z: Zone): number | undefined {
    let a = this.state.allocators.get(z.allocator);
    if (!a) {
      let top = u64(z.lowaddr) + 1n;
      const memTop = ptoa(this.state.maxmem);
      if (memTop < top) top = memTop;
      if (FOUR_GIB < top) top = FOUR_GIB;
      a = { next: Number(truncPage(top)), exhausted: false };
      this.state.allocators.set(z.allocator, a);
    }
    if (a.exhausted) return undefined;
    const addr = a.next - 4096;
    if (addr < 1048576) {
      a.exhausted = true;
      return undefined;
    }
    a.next = addr;
    return addr;
  }

  /** alloc_bounce_pages(dmat, u_int numpages): returns how many were added. */
  private alloc_bounce_pages(t: Tag, numpages: number): number {
    const s = this.state;
    const z = this.zoneOf(t)!;
    let count = 0;
    let n = numpages >>> 0;
    while (n > 0) {
      const busaddr = this.contigmalloc(z);
      if (busaddr === undefined) break;
      const p: BouncePage = {
        gen: s.gen, id: s.nextPage++, zone: z.id, busaddr, busaddrBig: BigInt(busaddr), pgoffset: 0, map: -1, dataaddr: 0n, datacount: 0,
      };
      s.pages.set(p.id, p);
      z.bounce_page_list.push(p.id);
      s.total_bpages++;
      z.total_bpages++;
      z.free_bpages++;
      count++;
      n--;
    }
    return count;
  }

  /** reserve_bounce_pages(dmat, map, commit): returns the shortfall. */
  private reserve_bounce_pages(t: Tag, m: DmaMap, commit: boolean): number {
    const z = this.zoneOf(t)!;
    const pages = Math.min(z.free_bpages, m.pagesneeded - m.pagesreserved);
    if (!commit && m.pagesneeded > m.pagesreserved + pages) {
      return m.pagesneeded - (m.pagesreserved + pages);
    }
    z.free_bpages -= pages;
    z.reserved_bpages += pages;
    m.pagesreserved += pages;
    return m.pagesneeded - m.pagesreserved;
  }

  /** _bus_dmamap_reserve_pages(dmat, map, flags). */
  private _bus_dmamap_reserve_pages(t: Tag, m: DmaMap, flags: number): number {
    if (flags & BUS_DMA_NOWAIT) {
      if (this.reserve_bounce_pages(t, m, false) !== 0) {
        m.pagesneeded = 0;
        return ENOMEM;
      }
    } else if (this.reserve_bounce_pages(t, m, true) !== 0) {
      const z = this.zoneOf(t)!;
      z.bounce_map_waitinglist.push(m.id);
      m.queue = 'waiting';
      m.queuedLine = this.line;
      return EINPROGRESS;
    }
    return 0;
  }

  /** A page this state may change: copied first if a snapshot shares it (copy on write). */
  private writablePage(pid: number): BouncePage {
    const s = this.state;
    const p = s.pages.get(pid)!;
    if (p.gen === s.gen) return p;
    const q: BouncePage = { gen: s.gen, id: p.id, zone: p.zone, busaddr: p.busaddr, busaddrBig: p.busaddrBig, pgoffset: p.pgoffset, map: p.map, dataaddr: p.dataaddr, datacount: p.datacount };
    s.pages.set(pid, q);
    return q;
  }

  /** add_bounce_page(): take the head of the zone's list for this chunk. */
  private add_bounce_page(t: Tag, m: DmaMap, addr: bigint, size: bigint): bigint {
    const z = this.zoneOf(t)!;
    if (m.pagesneeded === 0) throw new KernelPanic("add_bounce_page: map doesn't need any pages");
    m.pagesneeded--;
    if (m.pagesreserved === 0) throw new KernelPanic("add_bounce_page: map doesn't need any pages");
    m.pagesreserved--;
    const pid = z.bounce_page_list.shift();
    if (pid === undefined) throw new KernelPanic('add_bounce_page: free page list is empty');
    z.reserved_bpages--;
    z.active_bpages++;
    const p = this.writablePage(pid);
    if (t.flags & BUS_DMA_KEEP_PG_OFFSET) p.pgoffset = Number(addr & PAGE_MASK);
    p.map = m.id;
    p.dataaddr = addr;
    p.datacount = Number(size);
    m.bpages.push(pid);
    return p.pgoffset === 0 ? p.busaddrBig : p.busaddrBig + BigInt(p.pgoffset);
  }

  /** free_bounce_pages(): unload, then hand pages to the zone's waiters in strict FIFO order. */
  private free_bounce_pages(t: Tag, m: DmaMap): void {
    if (m.bpages.length === 0) return;
    const s = this.state;
    const z = this.zoneOf(t)!;
    for (const pid of m.bpages) {
      const p = this.writablePage(pid);
      p.dataaddr = 0n;
      p.datacount = 0;
      p.map = -1;
      if (t.flags & BUS_DMA_KEEP_PG_OFFSET) p.pgoffset = 0;
    }
    const count = m.bpages.length;
    z.bounce_page_list.pushAll(m.bpages);
    m.bpages = [];
    z.free_bpages += count;
    z.active_bpages -= count;
    for (;;) {
      const wid = z.bounce_map_waitinglist.peek();
      if (wid === undefined) break;
      const w = s.maps.get(wid)!;
      const wt = s.tags.get(w.dmat)!;
      if (this.reserve_bounce_pages(wt, w, true) !== 0) break;
      z.bounce_map_waitinglist.shift();
      s.bounce_map_callbacklist.push(wid);
      w.queue = 'callback';
      z.total_deferred++;
    }
  }

  /** destroy_bounce_zone() (refcounted kernels). Panics are raised before any change. */
  private destroy_bounce_zone(t: Tag): void {
    const z = this.zoneOf(t);
    if (!z) return;
    if (z.refcount === null || z.refcount <= 0) {
      throw new KernelPanic(`destroy_bounce_zone: refcount ${z.refcount ?? 0}`);
    }
    const from = z.refcount;
    const to = from - 1;
    // The kernel drops the reference, then asserts; the event of the drop comes first.
    this.emit({
      kind: 'refcount', zone: z.name, tag: t.label, from, to,
      message: to === 0
        ? `${z.name} refcount ${from} -> 0: tag ${t.label} was its last tag; the zone and its ${z.total_bpages} bounce pages are freed`
        : `${z.name} refcount ${from} -> ${to}: tag ${t.label} released it`,
    });
    if (to === 0) {
      if (z.bounce_map_waitinglist.length !== 0) {
        throw new KernelPanic('destroy_bounce_zone: waiting list not empty');
      }
      if (z.active_bpages !== 0) {
        throw new KernelPanic(`destroy_bounce_zone: ${z.active_bpages} active pages still allocated`);
      }
      if (z.total_bpages !== z.free_bpages) {
        throw new KernelPanic(
          `destroy_bounce_zone: ${z.total_bpages - z.free_bpages}/${z.total_bpages} pages still allocated`);
      }
    }
    z.refcount = to;
    if (z.refcount > 0) return;
    const s = this.state;
    s.zoneList.splice(s.zoneList.indexOf(z.id), 1);
    // Only the global counter goes down; the zone's own counters stay as they were (8.12).
    for (const pid of z.bounce_page_list.takeAll()) {
      s.pages.delete(pid);
      s.total_bpages--;
    }
    z.destroyed = true;
  }

  // ---- tags (busdma_machdep.c common_bus_dma_tag_create + bounce_bus_dma_tag_create) ----

  bus_dma_tag_create(a: TagArgs, label: string): CallResult {
    const s = this.state;
    let parent: Tag | undefined;
    if (a.parent !== undefined) {
      parent = s.tags.get(a.parent);
      if (!parent || parent.destroyed) {
        this.emit({ kind: 'misuse', tag: label, message: `parent of tag ${label} is not a live DMA tag` });
        return { errno: EINVAL };
      }
    }
    const alignment = a.alignment ?? 1n;
    let boundary = a.boundary ?? 0n;
    const maxsize = a.maxsize ?? PAGE_SIZE;
    let maxsegsz = a.maxsegsz ?? maxsize;
    const nsegments = a.nsegments === undefined ? 1 : a.nsegments <= 0xffff_ffffn ? Number(a.nsegments) : toUint32(a.nsegments);
    const flags = a.flags === undefined ? 0 : a.flags <= 0xffff_ffffn ? Number(a.flags) : toUint32(a.flags);
    if (boundary !== 0n && boundary < maxsegsz) maxsegsz = boundary;
    if (maxsegsz === 0n) return { errno: EINVAL };
    // trunc_page(x) + PAGE_SIZE - 1 is x with its low 12 bits set.
    let lowaddr = a.lowaddr === undefined ? BUS_SPACE_MAXADDR : a.lowaddr | PAGE_MASK;
    let highaddr = a.highaddr === undefined ? BUS_SPACE_MAXADDR : a.highaddr | PAGE_MASK;
    if (parent) {
      lowaddr = minU(parent.lowaddr, lowaddr);
      highaddr = maxU(parent.highaddr, highaddr);
      if (boundary === 0n) boundary = parent.boundary;
      else if (parent.boundary !== 0n) boundary = minU(parent.boundary, boundary);
    }
    const t: Tag = {
      id: s.nextTag++, label, parent: parent ? parent.id : -1,
      alignment, boundary, lowaddr, highaddr, maxsize, nsegments, maxsegsz, flags,
      bounce_flags: 0, map_count: 0, zone: -1, destroyed: false, line: this.line,
      // Below 2^43 the page count is a small exact double: no bigint arithmetic.
      maxpages: 0, atopMaxsize: maxsize < 0x8000_0000_000n ? Math.max(Math.floor(Number(maxsize) / 4096), 1) : toInt32(maxU(atop(maxsize), 1n)),
    };
    t.maxpages = this.computeMaxpages(t);
    if (parent && (parent.bounce_flags & BUS_DMA_COULD_BOUNCE)) t.bounce_flags |= BUS_DMA_COULD_BOUNCE;
    if (t.lowaddr < this.maxmemBytes || t.alignment > 1n) t.bounce_flags |= BUS_DMA_COULD_BOUNCE;

    let error = 0;
    if ((t.bounce_flags & BUS_DMA_COULD_BOUNCE) && (flags & BUS_DMA_ALLOCNOW)) {
      error = this.bounce_bus_dma_zone_setup(t);
    }
    if (error !== 0) {
      // The tag is freed; the zone reference it took is not dropped (model 8.11).
      const z = this.zoneOf(t);
      if (z) {
        z.tags--;
        this.checkOrphan(z, `tag ${label} failed with ${errnoName(error)} during its BUS_DMA_ALLOCNOW allocation`);
      }
      return { errno: error };
    }
    s.tags.set(t.id, t);
    return { errno: 0, id: t.id };
  }

  /** bounce_bus_dma_zone_setup(): the BUS_DMA_ALLOCNOW path. */
  private bounce_bus_dma_zone_setup(t: Tag): number {
    this.alloc_bounce_zone(t);
    const z = this.zoneOf(t)!;
    if (ptoa(z.total_bpages) < t.maxsize) {
      // int pages = atop(maxsize) - total_bpages;
      const pages = toInt32(atop(t.maxsize) - BigInt(z.total_bpages));
      if (this.alloc_bounce_pages(t, pages) < pages) return ENOMEM;
    }
    t.bounce_flags |= BUS_DMA_MIN_ALLOC_COMP;
    return 0;
  }

  bus_dma_tag_destroy(tid: number): number {
    const t = this.state.tags.get(tid);
    if (!t || t.destroyed) {
      this.emit({ kind: 'misuse', tag: t?.label, message: `bus_dma_tag_destroy of a tag that is ${t ? 'already destroyed' : 'not live'}` });
      return 0;
    }
    if (t.map_count !== 0) return EBUSY;
    const queued = this.queuedMapsOfTag(t.id);
    if (queued.length) {
      this.emit({
        kind: 'misuse', tag: t.label, map: queued[0].label,
        message: `tag ${t.label} destroyed while the deferred load of map ${queued[0].label} is still queued`,
      });
    }
    if (this.kernel.refcountedZones) this.destroy_bounce_zone(t);
    t.destroyed = true;
    // Keep the object while a freed map still points at it (the thread will use it).
    if (!this.referencedByZombie(t.id)) this.state.tags.delete(t.id);
    const z = this.zoneOf(t);
    if (z) {
      z.tags--;
      this.checkOrphan(z, `tag ${t.label} was its last user`);
    }
    return 0;
  }

  private queuedMapsOfTag(tid: number): DmaMap[] {
    const out: DmaMap[] = [];
    const s = this.state;
    if (s.zombie_maps === 0 && s.bounce_map_callbacklist.length === 0 && !s.zoneList.some((z) => s.zones[z].bounce_map_waitinglist.length)) return out;
    const scan = (ids: number[]) => {
      for (const id of ids) {
        const m = s.maps.get(id);
        if (m && (m.dmat === tid || m.tag === tid)) out.push(m);
      }
    };
    scan(s.bounce_map_callbacklist.toArray());
    for (const zid of s.zoneList) scan(s.zones[zid].bounce_map_waitinglist.toArray());
    return out;
  }

  /** A destroyed map the kernel still holds (queued, or holding pages it can never give back). */
  private referencedByZombie(tid: number): boolean {
    if (this.state.zombie_maps === 0) return false;
    for (const m of this.state.maps.values()) {
      if (m.destroyed && (m.tag === tid || m.dmat === tid)) return true;
    }
    return false;
  }

  /** Drop a destroyed map once nothing in the kernel refers to it any more. */
  private reapZombie(m: DmaMap): void {
    const s = this.state;
    if (!m.destroyed || m.queue !== 'none' || m.bpages.length || m.pagesreserved) return;
    s.maps.delete(m.id);
    s.zombie_maps--;
    for (const tid of new Set([m.tag, m.dmat])) {
      const t = s.tags.get(tid);
      if (t && t.destroyed && !this.referencedByZombie(tid)) s.tags.delete(tid);
    }
  }

  private checkOrphan(z: Zone, why: string): void {
    if (!z.destroyed && z.tags === 0 && z.total_bpages > 0) {
      this.emit({
        kind: 'leak', cause: 'orphaned', zone: z.name, pages: z.total_bpages,
        message: `${z.name} orphaned with ${z.total_bpages} bounce page${z.total_bpages === 1 ? '' : 's'}: ${why}`,
      });
    }
  }

  // ---- maps --------------------------------------------------------------------------

  bus_dmamap_create(tid: number, label: string): CallResult {
    const s = this.state;
    const t = s.tags.get(tid);
    if (!t || t.destroyed) {
      this.emit({ kind: 'misuse', map: label, message: `bus_dmamap_create on a tag that is not live` });
      return { errno: EINVAL };
    }
    const couldBounce = (t.bounce_flags & BUS_DMA_COULD_BOUNCE) !== 0;
    const m: DmaMap = {
      id: s.nextMap++, label, tag: t.id, isNull: !couldBounce,
      pagesneeded: 0, pagesreserved: 0, bpages: [], queue: 'none', loaded: false, cb_error: 0,
      dmat: t.id, mem: null, queuedLine: 0, segs: [], destroyed: false, line: this.line,
    };
    let error = 0;
    if (couldBounce) {
      if (t.zone < 0) this.alloc_bounce_zone(t);
      const z = this.zoneOf(t)!;
      const maxpages = t.maxpages;
      const minAllocComp = (t.bounce_flags & BUS_DMA_MIN_ALLOC_COMP) !== 0;
      if (this.kernel.shouldGrow({ minAllocComp, zoneMapCount: z.map_count, zoneTotal: z.total_bpages, maxpages })) {
        // pages = MAX(atop(maxsize), 1): unsigned long, stored in an int.
        let pages = t.atopMaxsize;
        // pages = MIN(nsegments, pages): compared as u_int, stored in an int.
        pages = toInt32(Math.min(t.nsegments, pages >>> 0));
        pages = Math.min(toInt32(maxpages - z.total_bpages), pages);
        if (this.kernel.floorOnePage) pages = Math.max(pages, 1);
        const before = z.total_bpages;
        const got = this.alloc_bounce_pages(t, pages);
        if (got < pages) error = ENOMEM;
        if (!minAllocComp) {
          if (error === 0) t.bounce_flags |= BUS_DMA_MIN_ALLOC_COMP;
        } else {
          error = 0;
        }
        if (got > 0 && before >= maxpages) {
          z.overcap_bpages += got;
          this.emit({
            kind: 'leak', cause: 'over_cap', zone: z.name, tag: t.label, map: label, pages: got,
            message: `${z.name} over its cap: map create on tag ${t.label} added ${got} bounce page${got === 1 ? '' : 's'} with total_bpages ${before} >= maxpages ${maxpages}`,
          });
        }
      }
      z.map_count++;
    }
    if (error !== 0) return { errno: error };
    t.map_count++;
    s.maps.set(m.id, m);
    return { errno: 0, id: m.id };
  }

  /** Checks a (tag, map) pair as the trace passes it; emits misuse and returns undefined if bad. */
  private pair(tid: number, mid: number, call: string): [Tag, DmaMap] | undefined {
    const s = this.state;
    const t = s.tags.get(tid);
    const m = s.maps.get(mid);
    if (!t || t.destroyed) {
      this.emit({ kind: 'misuse', tag: t?.label, message: `${call}: tag ${t ? t.label + ' is destroyed' : 'is not live'}` });
      return undefined;
    }
    if (!m || m.destroyed) {
      this.emit({ kind: 'misuse', tag: t.label, map: m?.label, message: `${call}: map ${m ? m.label + ' is destroyed' : 'is not live'}` });
      return undefined;
    }
    if (m.tag !== t.id) {
      const owner = s.tags.get(m.tag);
      this.emit({
        kind: 'misuse', tag: t.label, map: m.label,
        message: `${call}: map ${m.label} belongs to tag ${owner ? owner.label : '?'}, not ${t.label}`,
      });
      return undefined;
    }
    return [t, m];
  }

  bus_dmamap_destroy(tid: number, mid: number): number {
    const s = this.state;
    const m0 = s.maps.get(mid);
    if (m0 && m0.destroyed) {
      this.emit({ kind: 'misuse', map: m0.label, message: `bus_dmamap_destroy: map ${m0.label} is already destroyed` });
      return 0;
    }
    const pr = this.pair(tid, mid, 'bus_dmamap_destroy');
    if (!pr) return 0;
    const [t, m] = pr;
    if (!m.isNull) {
      if (m.bpages.length) return EBUSY;
      if (m.queue !== 'none') {
        // The kernel checks only the attached pages: it frees a map its thread will still use.
        const z = this.zoneOf(t);
        this.emit({
          kind: 'misuse', tag: t.label, map: m.label, zone: z?.name,
          message: `map ${m.label} destroyed while its deferred load is still queued (${m.queue === 'waiting' ? 'waiting list of ' + (z?.name ?? '?') : 'busdma callback list'})`,
        });
      }
      const z = this.zoneOf(t);
      if (z) z.map_count--;
      if (m.pagesreserved > 0 && z && m.queue === 'none') {
        z.stranded_bpages += m.pagesreserved;
        this.emit({
          kind: 'leak', cause: 'stranded', zone: z.name, tag: t.label, map: m.label, pages: m.pagesreserved,
          message: `map ${m.label} destroyed with ${m.pagesreserved} bounce page${m.pagesreserved === 1 ? '' : 's'} still reserved in ${z.name}: nothing will ever release ${m.pagesreserved === 1 ? 'it' : 'them'}`,
        });
      }
    }
    t.map_count--;
    m.destroyed = true;
    if (m.queue === 'none') s.maps.delete(m.id);
    else s.zombie_maps++;
    return 0;
  }

  /** bus_dmamap_load_mem() of a physical buffer (or a list of them) and its callback. */
  bus_dmamap_load(tid: number, mid: number, mem: Buffer[], flags: number): LoadResult {
    const pr = this.pair(tid, mid, 'bus_dmamap_load');
    if (!pr) return { errno: 0, cb_error: null, nsegs: 0 };
    const [t, m] = pr;
    if (m.queue !== 'none') {
      this.emit({
        kind: 'misuse', tag: t.label, map: m.label,
        message: `bus_dmamap_load: map ${m.label} still has a deferred load queued (${m.queue})`,
      });
      return { errno: 0, cb_error: null, nsegs: 0 };
    }
    return this.load_mem(t, m, mem, flags);
  }

  private load_mem(t: Tag, m: DmaMap, mem: Buffer[], flags: number): LoadResult {
    if (!(flags & BUS_DMA_NOWAIT) && !m.isNull) {
      // bounce_bus_dmamap_waitok(): remember the request so the thread can replay it.
      m.mem = mem;
      m.dmat = t.id;
    }
    const segs: Segment[] = [];
    const segp = { v: -1 };
    let error = 0;
    for (let i = 0; i < mem.length; i++) {
      error = this.load_phys(t, m, mem[i].paddr, mem[i].len, flags, segs, segp);
      if (error) break;
    }
    if (error === EINPROGRESS) return { errno: EINPROGRESS, cb_error: null, nsegs: 0 };
    const nsegs = segp.v + 1;
    // The callback: (segs, 0, error) on failure, (segs, nsegs, 0) on success.
    m.cb_error = error;
    if (error === 0) {
      m.segs = segs.slice(0, nsegs);
      m.loaded = true;
      this.checkReachable(t, m, m.segs);
    } else {
      m.segs = [];
    }
    return { errno: error === ENOMEM ? ENOMEM : 0, cb_error: error, nsegs: error ? 0 : nsegs };
  }

  private mustBounce(t: Tag, p: bigint): boolean {
    return (p > t.lowaddr && p <= t.highaddr) || !alignOk(p, t.alignment);
  }

  /** _bus_dmamap_pagesneeded() of the 14.x base: steps by maxsegsz, tests chunk starts (8.8). */
  private pagesneeded(t: Tag, buf: bigint, buflen: bigint): number {
    let cur = buf;
    let len = buflen;
    let count = 0;
    let chunks = 0;
    const m = t.maxsegsz;
    // Full maxsegsz steps keep their alignment when maxsegsz is a multiple of it.
    const stepKeepsAlignment = t.alignment === 1n || (t.alignment > 1n && m % t.alignment === 0n);
    while (len !== 0n) {
      let sg = len < m ? len : m;
      if (this.mustBounce(t, cur)) {
        const rem = PAGE_SIZE - (cur & PAGE_MASK);
        if (rem < sg) sg = rem;
        count = (count + 1) | 0;
      } else if (sg === m && stepKeepsAlignment && alignOk(cur, t.alignment)) {
        // Skip ahead over every full step whose start stays outside (lowaddr, highaddr].
        const full = len / m;
        let k = full;
        if (cur <= t.lowaddr) {
          const j0 = (t.lowaddr - cur) / m + 1n;
          if (j0 < full && cur + j0 * m <= t.highaddr) k = j0;
        }
        sg = k * m;
      }
      cur += sg;
      len -= sg;
      if (++chunks > MAX_CHUNKS_PER_LOAD) {
        throw new SimLimitError(`load of ${hex(buf)}:${buflen} needs more than ${MAX_CHUNKS_PER_LOAD} chunks to count (maxsegsz ${m})`);
      }
    }
    return count;
  }

  /** bounce_bus_dmamap_load_phys() of the 14.x base. */
  private load_phys(t: Tag, m: DmaMap, buf: bigint, buflen: bigint, flags: number,
    segs: Segment[], segp: { v: number }): number {
    const couldBounce = (t.bounce_flags & BUS_DMA_COULD_BOUNCE) !== 0;
    if (couldBounce) {
      if (!m.isNull && m.pagesneeded === 0) m.pagesneeded = this.pagesneeded(t, buf, buflen);
      if (m.pagesneeded !== 0) {
        const error = this._bus_dmamap_reserve_pages(t, m, flags);
        if (error) return error;
      }
    }
    let chunks = 0;
    while (buflen > 0n) {
      let cur = buf;
      let sg = buflen < t.maxsegsz ? buflen : t.maxsegsz;
      if (couldBounce && m.pagesneeded !== 0 && this.mustBounce(t, cur)) {
        const rem = PAGE_SIZE - (cur & PAGE_MASK);
        if (rem < sg) sg = rem;
        cur = this.add_bounce_page(t, m, cur, sg);
      }
      sg = this._bus_dmamap_addseg(t, cur, sg, segs, segp);
      if (sg === 0n) break;
      buf += sg;
      buflen -= sg;
      if (++chunks > MAX_CHUNKS_PER_LOAD) {
        throw new SimLimitError(`load walks more than ${MAX_CHUNKS_PER_LOAD} chunks (nsegments ${t.nsegments}, maxsegsz ${t.maxsegsz})`);
      }
    }
    return buflen !== 0n ? EFBIG : 0;
  }

  /** _bus_dmamap_addseg(): returns the bytes added, 0 when out of segments. */
  private _bus_dmamap_addseg(t: Tag, cur: bigint, sg: bigint, segs: Segment[], segp: { v: number }): bigint {
    if (!boundOk(cur, sg, t.boundary)) sg = u64(roundup2(cur, t.boundary) - cur);
    let seg = segp.v;
    if (seg === -1) {
      seg = 0;
      segs[0] = { addr: cur, len: sg };
    } else {
      const last = segs[seg];
      if (cur === u64(last.addr + last.len) && last.len + sg <= t.maxsegsz &&
        boundOk(last.addr, last.len + sg, t.boundary)) {
        last.len += sg;
      } else {
        if (++seg >= t.nsegments) return 0n;
        segs[seg] = { addr: cur, len: sg };
      }
    }
    segp.v = seg;
    return sg;
  }

  /** The device gets these segments: report any it cannot address (the kernel does not). */
  private checkReachable(t: Tag, m: DmaMap, segs: Segment[]): void {
    for (let i = 0; i < segs.length; i++) {
      const sgm = segs[i];
      if (sgm.len === 0n) continue;
      const last = sgm.addr + sgm.len - 1n;
      const where = () => `segment ${hex(sgm.addr)}:${sgm.len} of map ${m.label}`;
      if (last > t.lowaddr && sgm.addr <= t.highaddr) {
        const lo = sgm.addr > t.lowaddr ? sgm.addr : t.lowaddr + 1n;
        const hi = last < t.highaddr ? last : t.highaddr;
        this.emit({
          kind: 'unreachable', tag: t.label, map: m.label,
          message: `${where()} reaches ${hex(lo)}-${hex(hi)}, above lowaddr ${hex(t.lowaddr)} of tag ${t.label}: the device cannot address it`,
        });
      } else if (t.alignment !== 1n && !alignOk(sgm.addr, t.alignment)) {
        this.emit({
          kind: 'unreachable', tag: t.label, map: m.label,
          message: `${where()} starts misaligned for tag ${t.label}'s alignment ${hex(t.alignment)}`,
        });
      } else if (t.boundary !== 0n && !boundOk(sgm.addr, sgm.len, t.boundary)) {
        this.emit({
          kind: 'unreachable', tag: t.label, map: m.label,
          message: `${where()} crosses a ${hex(t.boundary)} boundary of tag ${t.label}`,
        });
      }
    }
  }

  bus_dmamap_unload(tid: number, mid: number): void {
    const pr = this.pair(tid, mid, 'bus_dmamap_unload');
    if (!pr) return;
    const [t, m] = pr;
    if (m.isNull) return;
    this.free_bounce_pages(t, m);
    m.loaded = false;
    m.segs = [];
  }

  bus_dmamap_sync(tid: number, mid: number, op: number): void {
    const pr = this.pair(tid, mid, 'bus_dmamap_sync');
    if (!pr) return;
    const [t, m] = pr;
    if (m.isNull || m.bpages.length === 0) return;
    const z = this.zoneOf(t)!;
    // One count per direction per call, not per page (model 8.13).
    if (op & BUS_DMASYNC_PREWRITE) z.total_bounced++;
    if (op & BUS_DMASYNC_POSTREAD) z.total_bounced++;
  }

  /** busdma_thread(): replay every deferred load on the callback list, in order. */
  busdma_thread(onCallback?: (m: DmaMap, r: LoadResult) => void): number {
    const s = this.state;
    let n = 0;
    while (s.bounce_map_callbacklist.length) {
      for (const mid of s.bounce_map_callbacklist.takeAll()) {
        const m = s.maps.get(mid)!;
        const t = s.tags.get(m.dmat)!;
        m.queue = 'none';
        if (m.destroyed) {
          this.emit({
            kind: 'misuse', map: m.label, tag: t.label,
            message: `busdma thread replays the deferred load of map ${m.label}, which was destroyed (use after free)`,
          });
        }
        const r = this.load_mem(t, m, m.mem ?? [], 0);
        n++;
        if (onCallback && r.cb_error !== null) onCallback(m, r);
        this.reapZombie(m);
      }
    }
    return n;
  }

  /** Maps still waiting for pages that nothing will ever free (the end of the trace). */
  stalledMaps(): DmaMap[] {
    const s = this.state;
    const out: DmaMap[] = [];
    for (const zid of s.zoneList) {
      for (const mid of s.zones[zid].bounce_map_waitinglist.toArray()) out.push(s.maps.get(mid)!);
    }
    return out;
  }

  // ---- derived values ------------------------------------------------------------------

  /** leaked_bpages (docs/semantics.md). */
  leakedBpages(): number {
    let n = 0;
    for (const z of this.state.zones) {
      if (z.destroyed) continue;
      if (z.tags === 0) n += z.total_bpages;
      else n += Math.min(z.total_bpages, z.overcap_bpages + z.stranded_bpages + this.heldByZombies(z.id));
    }
    return n;
  }

  /** Pages attached to or reserved by maps the driver destroyed while their load was queued. */
  private heldByZombies(zid: number): number {
    if (this.state.zombie_maps === 0) return 0;
    let n = 0;
    for (const m of this.state.maps.values()) {
      if (!m.destroyed) continue;
      const t = this.state.tags.get(m.dmat);
      if (t && t.zone === zid) n += m.bpages.length + m.pagesreserved;
    }
    return n;
  }

  // ---- invariants ----------------------------------------------------------------------

  /** The kernel's own invariants. `full` also walks every map and page (tests, fuzzing). */
  checkInvariants(full: boolean): void {
    const s = this.state;
    let sum = 0;
    for (const zid of s.zoneList) {
      const z = s.zones[zid];
      if (z.total_bpages !== z.free_bpages + z.reserved_bpages + z.active_bpages) {
        throw new InvariantError(`${z.name}: total_bpages ${z.total_bpages} != free ${z.free_bpages} + reserved ${z.reserved_bpages} + active ${z.active_bpages}`);
      }
      if (z.bounce_page_list.length !== z.free_bpages + z.reserved_bpages) {
        throw new InvariantError(`${z.name}: bounce_page_list holds ${z.bounce_page_list.length} pages, free + reserved is ${z.free_bpages + z.reserved_bpages}`);
      }
      if (z.free_bpages < 0 || z.reserved_bpages < 0 || z.active_bpages < 0) {
        throw new InvariantError(`${z.name}: a negative counter`);
      }
      sum += z.total_bpages;
    }
    if (sum !== s.total_bpages) {
      throw new InvariantError(`global total_bpages ${s.total_bpages} != sum over live zones ${sum}`);
    }
    if (!full) return;
    const reserved = new Map<number, number>();
    const active = new Map<number, number>();
    for (const m of s.maps.values()) {
      if (m.isNull) continue;
      const t = s.tags.get(m.dmat) ?? s.tags.get(m.tag);
      if (!t || t.zone < 0) continue;
      reserved.set(t.zone, (reserved.get(t.zone) ?? 0) + m.pagesreserved);
      active.set(t.zone, (active.get(t.zone) ?? 0) + m.bpages.length);
      for (const pid of m.bpages) {
        const p = s.pages.get(pid);
        if (!p || p.map !== m.id) throw new InvariantError(`map ${m.label}: page ${pid} is not attached to it`);
      }
      if (m.queue === 'waiting' && !s.zones[t.zone].bounce_map_waitinglist.includes(m.id)) {
        throw new InvariantError(`map ${m.label} is waiting but not on ${s.zones[t.zone].name}'s waiting list`);
      }
    }
    for (const zid of s.zoneList) {
      const z = s.zones[zid];
      const r = (reserved.get(zid) ?? 0) + z.stranded_bpages;
      if (r !== z.reserved_bpages) {
        throw new InvariantError(`${z.name}: reservations of its maps add up to ${r}, reserved_bpages is ${z.reserved_bpages}`);
      }
      if ((active.get(zid) ?? 0) !== z.active_bpages) {
        throw new InvariantError(`${z.name}: pages attached to maps ${active.get(zid) ?? 0} != active_bpages ${z.active_bpages}`);
      }
      for (const pid of z.bounce_page_list.toArray()) {
        const p = s.pages.get(pid);
        if (!p || p.map !== -1 || p.zone !== zid) throw new InvariantError(`${z.name}: page ${pid} on its list is not free`);
      }
    }
    let live = 0;
    for (const z of s.zones) if (!z.destroyed) live += z.total_bpages;
    if (live !== s.pages.size) throw new InvariantError(`${s.pages.size} pages exist, live zones own ${live}`);
  }
}

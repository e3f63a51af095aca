// The simulator's state: everything the x86 bounce code keeps, plus the little the simulator
// needs to report (labels, lines, leak bookkeeping). Objects refer to each other by id so
// that a snapshot is a plain copy (see clone.ts).

import { Fifo } from './fifo';
import type { KernelId } from './kernels';

export interface Zone {
  id: number;
  name: string;               // bz->zoneid, "zone%d" from busdma_zonecount
  lowaddr: bigint;            // bz->lowaddr
  alignment: bigint;          // bz->alignment = MAX(tag alignment, PAGE_SIZE)
  domain: number;
  total_bpages: number;
  free_bpages: number;
  reserved_bpages: number;
  active_bpages: number;
  total_bounced: number;
  total_deferred: number;
  map_count: number;          // zone-wide, all tags sharing the zone
  refcount: number | null;    // D47521 and later; null where the kernel has no such field
  destroyed: boolean;         // destroy_bounce_zone ran: counters frozen as the kernel left them
  bounce_page_list: Fifo<number>;        // page ids, free or reserved
  bounce_map_waitinglist: Fifo<number>;  // map ids
  // Simulator bookkeeping (not kernel fields).
  tags: number;               // live tags bound to the zone
  overcap_bpages: number;     // pages map create added while total >= maxpages
  stranded_bpages: number;    // reservations left by destroyed maps
  line: number;               // trace line that created it
  allocator: string;          // key of the contigmalloc allocator for its lowaddr
}

/** Shared between snapshots: the core copies a page before its first change in a new
 * generation (copy on write), so a snapshot copies only the page table. */
export interface BouncePage {
  gen: number;                // the state generation allowed to change it in place
  id: number;
  zone: number;
  busaddr: number;            // page-aligned physical address (always below 4 GiB)
  busaddrBig: bigint;         // the same, as the bus_addr_t the load path computes with
  pgoffset: number;           // BUS_DMA_KEEP_PG_OFFSET offset currently or'ed in
  map: number;                // map it is attached to, -1 while on the zone's list
  dataaddr: bigint;           // client physical address (datapage + dataoffs), 0 if none
  datacount: number;
}

export interface Tag {
  id: number;
  label: string;
  parent: number;             // -1: none
  alignment: bigint;
  boundary: bigint;
  lowaddr: bigint;
  highaddr: bigint;
  maxsize: bigint;
  nsegments: number;          // u_int
  maxsegsz: bigint;
  flags: number;
  bounce_flags: number;
  map_count: number;
  zone: number;               // bounce_zone id, -1 while NULL
  destroyed: boolean;
  line: number;
  // Derived once at creation (the inputs never change): the map-create arithmetic.
  maxpages: number;           // per-tag cap, int
  atopMaxsize: number;        // (int)MAX(atop(maxsize), 1)
}

export type MapQueue = 'none' | 'waiting' | 'callback';

export interface Segment {
  addr: bigint;
  len: bigint;
}

export interface Buffer {
  paddr: bigint;
  len: bigint;
}

export interface DmaMap {
  id: number;
  label: string;
  tag: number;                // the tag it was created on
  isNull: boolean;            // the kernel returned a NULL map (tag cannot bounce)
  pagesneeded: number;
  pagesreserved: number;
  bpages: number[];           // attached page ids, in order
  queue: MapQueue;
  loaded: boolean;            // a load's callback ran with no error and no unload since
  cb_error: number;
  dmat: number;               // map->dmat, saved by map_waitok
  mem: Buffer[] | null;       // map->mem, saved by map_waitok
  queuedLine: number;         // line of the load that queued it
  segs: Segment[];            // segments handed to the last callback
  destroyed: boolean;
  line: number;
}

export interface Allocator {
  next: number;               // pages are handed out below this address (always <= 4 GiB)
  exhausted: boolean;
}

export interface SimState {
  /** Copy-on-write generation of the pages (see BouncePage.gen); changes at every snapshot. */
  gen: number;
  kernel: KernelId;
  maxmem: bigint;             // Maxmem, in pages
  zones: Zone[];              // every zone ever created, in creation order (destroyed ones too)
  zoneList: number[];         // bounce_zone_list: live zones, in insertion order
  tags: Map<number, Tag>;
  maps: Map<number, DmaMap>;
  pages: Map<number, BouncePage>;
  allocators: Map<string, Allocator>;
  bounce_map_callbacklist: Fifo<number>;
  total_bpages: number;       // global hw.busdma.total_bpages
  busdma_zonecount: number;
  busdma_thread_started: boolean;
  zombie_maps: number;        // destroyed maps the kernel still holds (queued or with pages)
  nextTag: number;
  nextMap: number;
  nextPage: number;
}

let generation = 0;

export function newState(kernel: KernelId, maxmemPages: bigint): SimState {
  return {
    gen: ++generation,
    kernel,
    maxmem: maxmemPages,
    zones: [],
    zoneList: [],
    tags: new Map(),
    maps: new Map(),
    pages: new Map(),
    allocators: new Map(),
    bounce_map_callbacklist: new Fifo(),
    total_bpages: 0,
    busdma_zonecount: 0,
    busdma_thread_started: false,
    zombie_maps: 0,
    nextTag: 1,
    nextMap: 1,
    nextPage: 1,
  };
}

/** A deep copy. Cost is proportional to the live objects, not to the history. */
export function cloneState(s: SimState): SimState {
  const tags = new Map<number, Tag>();
  for (const [k, t] of s.tags) tags.set(k, { ...t });
  const maps = new Map<number, DmaMap>();
  for (const [k, m] of s.maps) maps.set(k, { ...m, bpages: m.bpages.slice() });
  // The snapshot shares the page objects: both states move to new generations, so neither
  // changes a shared page in place (copy on write). Copying the table, not 8,192 pages,
  // keeps a checkpoint small.
  const pages = new Map<number, BouncePage>(s.pages);
  s.gen = ++generation;
  const allocators = new Map<string, Allocator>();
  for (const [k, a] of s.allocators) allocators.set(k, { ...a });
  return {
    ...s,
    gen: ++generation,
    zones: s.zones.map((z) => ({
      ...z,
      bounce_page_list: z.bounce_page_list.clone(),
      bounce_map_waitinglist: z.bounce_map_waitinglist.clone(),
    })),
    zoneList: s.zoneList.slice(),
    tags,
    maps,
    pages,
    allocators,
    bounce_map_callbacklist: s.bounce_map_callbacklist.clone(),
  };
}

/** A rough size in objects, used to space checkpoints by memory rather than by steps. */
export function stateWeight(s: SimState): number {
  let w = 16 + s.zones.length * 4 + s.tags.size + s.pages.size;
  for (const m of s.maps.values()) w += 1 + m.bpages.length / 8;
  return w;
}

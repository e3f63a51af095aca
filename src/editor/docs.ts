// Hover and completion documentation for the .busdma trace language: what every call, named
// argument, flag, constant and errno name does in the FreeBSD kernel (the x86 bounce code of
// sys/x86/x86/busdma_bounce.c and sys/kern/subr_busdma_bounce.c), with the trace language's
// defaults (trace-language.md section 2).
//
// Pure data and functions: no `vscode` import, so the CLI, the adapter and tests can use it.
// Values are those of FreeBSD's headers on amd64: sys/sys/bus_dma.h (flags, sync operations),
// sys/x86/include/bus.h (BUS_SPACE_*), sys/sys/param.h (MCLBYTES, MJUM*), sys/sys/errno.h.

export type Owner = 'zone' | 'tag' | 'map' | 'global';

export interface DocEntry {
  readonly name: string;
  /** The full hover text (Markdown). */
  readonly markdown: string;
}

export interface CallDoc extends DocEntry {
  /** The statement as the trace language writes it. */
  readonly signature: string;
  /** The errno values the call can set (besides 0). */
  readonly errnos: readonly string[];
}

export interface NamedArgDoc extends DocEntry {
  /** The calls that take this named argument. */
  readonly calls: readonly string[];
  /** The default when the argument is left out, as trace-language.md section 2 gives it. */
  readonly defaultValue: string;
}

export interface ConstantDoc extends DocEntry {
  readonly value: bigint;
}

export interface FlagDoc extends DocEntry {
  readonly value: number;
  /** `bus_dmamap_sync` operations (BUS_DMASYNC_*) rather than call flags (BUS_DMA_*). */
  readonly sync: boolean;
}

export interface ErrnoDoc extends DocEntry {
  readonly value: number;
}

export interface FieldDoc extends DocEntry {
  readonly owner: Owner;
}

// ---- formatting helpers ----

const U64_MAX = 0xffff_ffff_ffff_ffffn;

function code(s: string): string {
  return '```busdma\n' + s + '\n```';
}

/** `0x800` (2048): hex and decimal, as a kernel developer reads a constant. */
export function hexDec(v: bigint | number): string {
  const b = BigInt(v);
  return `\`0x${b.toString(16)}\` (${b.toString(10)})`;
}

/** 65536 → "64 KiB"; undefined when the value is not a whole number of KiB. */
function binarySize(v: bigint): string | undefined {
  const units: [bigint, string][] = [
    [1n << 40n, 'TiB'],
    [1n << 30n, 'GiB'],
    [1n << 20n, 'MiB'],
    [1n << 10n, 'KiB'],
  ];
  for (const [unit, name] of units) {
    if (v >= unit && v % unit === 0n) return `${v / unit} ${name}`;
  }
  return undefined;
}

function entries<T extends DocEntry>(list: T[]): ReadonlyMap<string, T> {
  return new Map(list.map((e) => [e.name, e]));
}

// ---- calls ----

function call(name: string, signature: string, errnos: string[], body: string): CallDoc {
  const returns = errnos.length
    ? `\n\n**errno:** 0, ${errnos.map((e) => `\`${e}\``).join(', ')}.`
    : '\n\n**errno:** always 0.';
  return { name, signature, errnos, markdown: `${code(signature)}\n\n${body}${returns}` };
}

export const CALLS: ReadonlyMap<string, CallDoc> = entries([
  call(
    'bus_dma_tag_create',
    'T = bus_dma_tag_create(parent:, alignment:, boundary:, lowaddr:, highaddr:, maxsize:, nsegments:, maxsegsz:, flags:)',
    ['EINVAL', 'ENOMEM'],
    'Creates a DMA tag: the addressing limits of a device. Every argument is named and optional: ' +
      'no `parent`, `alignment` 1, `boundary` 0, `lowaddr` and `highaddr` `BUS_SPACE_MAXADDR`, ' +
      '`maxsize` `PAGE_SIZE`, `nsegments` 1, `maxsegsz` = `maxsize`, `flags` 0.\n\n' +
      '`lowaddr` and `highaddr` are rounded up to the last byte of their page. A child takes the ' +
      "smaller `lowaddr`, the larger `highaddr` and the smaller non-zero `boundary` of itself and its parent, and its parent's " +
      'ability to bounce. If a non-zero `boundary` is below `maxsegsz`, `maxsegsz` becomes `boundary`; a `maxsegsz` of 0 is `EINVAL`.\n\n' +
      'The tag *could bounce* when `lowaddr < ptoa(Maxmem)`, `alignment > 1`, or its parent could bounce. ' +
      'Only then does it ever get a bounce zone: at its first `bus_dmamap_create`, or here with ' +
      '`BUS_DMA_ALLOCNOW`, which grows the zone to hold `maxsize` bytes and fails with `ENOMEM` when it cannot.',
  ),
  call(
    'bus_dma_tag_destroy',
    'bus_dma_tag_destroy(T)',
    ['EBUSY'],
    'Destroys a tag. `EBUSY` while the tag still has maps (its `map_count` is not 0).\n\n' +
      '- `legacy`, `r291142`: only the tag is freed. Its bounce zone and every page in it stay allocated for good; ' +
      'when no live tag uses the zone any more it is an *orphaned zone* (`leak`).\n' +
      "- `d47521`, `d48182`: the tag drops its reference on its zone (`destroy_bounce_zone`). The last reference frees the zone's " +
      'pages (the global `total_bpages` goes down; the zone keeps its counters) and `hw.busdma.zoneN` disappears. ' +
      'An INVARIANTS kernel panics here if pages of the zone are still reserved or attached.',
  ),
  call(
    'bus_dmamap_create',
    'M = bus_dmamap_create(T [, flags: F])',
    ['ENOMEM'],
    "Creates a DMA map on a tag. A tag that cannot bounce gets a NULL map: a valid handle that never bounces.\n\n" +
      'Otherwise the map binds the tag to a bounce zone (the first zone with `alignment >= tag.alignment` and ' +
      '`lowaddr <= tag.lowaddr`, or a new one) and may grow it by ' +
      '`MIN(nsegments, MAX(atop(maxsize), 1))` pages, clipped to `maxpages - total_bpages`, where `maxpages` is ' +
      '`MAX_BPAGES` (8192 on amd64) for `alignment > 1`, else `MIN(MAX_BPAGES, Maxmem - atop(lowaddr))`:\n\n' +
      "- `legacy`, `d47521`: the tag's first map always allocates, with a floor of one page, even when the zone is at or over " +
      '`maxpages` (the PR 278569 leak: an *over cap* `leak`); later maps allocate while the zone is below `maxpages`.\n' +
      '- `d48182`: maps allocate only while `total_bpages < maxpages`, with no floor.\n' +
      '- `r291142`: as `legacy`, but the first map of a zone allocates nothing.\n\n' +
      "`ENOMEM` when the tag's first allocation falls short (the pages that were allocated stay in the zone, and the zone's " +
      '`map_count` is still incremented); a later shortfall is ignored.',
  ),
  call(
    'bus_dmamap_destroy',
    'bus_dmamap_destroy(T, M)',
    ['EBUSY'],
    'Destroys a map. `EBUSY` while the map holds bounce pages (it is loaded). Bounce pages are never given back to the ' +
      'system here: they stay in the zone for other maps.\n\n' +
      'The kernel checks nothing else: pages still *reserved* for the map (after a load that failed with `EFBIG`) are ' +
      'never returned (a *stranded reservation* `leak`), and destroying a map whose deferred load is still queued is a ' +
      '`misuse` (the busdma thread later replays the freed map).',
  ),
  call(
    'bus_dmamap_load',
    'bus_dmamap_load(T, M, PADDR:LEN [, flags: F])\nbus_dmamap_load(T, M, [PADDR:LEN, PADDR:LEN] [, flags: F])',
    ['ENOMEM', 'EINPROGRESS'],
    'Loads physical memory into a map: one buffer `PADDR:LEN`, or a list loaded in order into one segment array.\n\n' +
      "The kernel walks the buffer in `maxsegsz` steps; each chunk whose first address must bounce (it lies in the tag's " +
      'exclusion window (`lowaddr`, `highaddr`] or breaks its `alignment`) is cut at the end of its page and needs one whole ' +
      'bounce page. Then it reserves the pages:\n\n' +
      '- `BUS_DMA_NOWAIT`: all or nothing. Not enough free pages: `ENOMEM`, and the callback also gets `ENOMEM`.\n' +
      '- `BUS_DMA_WAITOK` (the default): the map keeps what it could reserve and waits on the zone\'s waiting list; the call ' +
      'returns `EINPROGRESS`. An unload that frees enough pages moves it to the callback list, and `busdma_thread()` ' +
      'completes it.\n\n' +
      'Segments are coalesced when contiguous and split at `boundary` and `maxsegsz`. A buffer that needs more than ' +
      '`nsegments` segments still returns 0: only the callback sees `EFBIG` (`cb_error`), and the reserved pages stay reserved.',
  ),
  call(
    'bus_dmamap_unload',
    'bus_dmamap_unload(T, M)',
    [],
    "Unloads a map. Its bounce pages go back to the tail of the zone's free list. Then the zone's waiting list is served " +
      'in order: each waiting load that can now reserve all its pages moves to the callback list (the zone\'s ' +
      '`total_deferred` counts it). The head waiter keeps a partial reservation and blocks the loads behind it.',
  ),
  call(
    'bus_dmamap_sync',
    'bus_dmamap_sync(T, M, OPS)',
    [],
    'Synchronises a loaded map with the device. Without bounce pages it is only a memory fence.\n\n' +
      '- `BUS_DMASYNC_PREWRITE`: copies the client data into the bounce pages before the device reads them.\n' +
      '- `BUS_DMASYNC_POSTREAD`: copies what the device wrote back from the bounce pages to the client.\n' +
      '- `BUS_DMASYNC_PREREAD`, `BUS_DMASYNC_POSTWRITE`: no copy on x86.\n\n' +
      "Each copying direction adds 1 to the zone's `total_bounced` per call, not per page.",
  ),
  call(
    'busdma_thread',
    'busdma_thread()',
    [],
    'Runs the busdma kernel thread now: it takes the whole callback list and replays each deferred load in order, ' +
      "under the tag's lock. The replay finds its pages already reserved, attaches them and runs the driver's callback, " +
      "which sets the map's `cb_error`. The thread also runs once by itself at the end of the trace.",
  ),
]);

// ---- named arguments ----

function arg(name: string, calls: string[], defaultValue: string, body: string): NamedArgDoc {
  const sig = `${name}: ${name === 'parent' ? 'T' : 'VALUE'}`;
  return {
    name,
    calls,
    defaultValue,
    markdown: `${code(sig)}\n\n${body}\n\n**Default:** ${defaultValue}. **Used by:** ${calls.map((c) => `\`${c}\``).join(', ')}.`,
  };
}

const TAG = ['bus_dma_tag_create'];

export const NAMED_ARGS: ReadonlyMap<string, NamedArgDoc> = entries([
  arg('parent', TAG, 'no parent', "The parent tag. The child inherits the parent's restrictions: the smaller `lowaddr`, the larger `highaddr`, the smaller non-zero `boundary`, and the parent's ability to bounce. `alignment`, `maxsize`, `nsegments` and `maxsegsz` are not inherited."),
  arg('alignment', TAG, '1 (none)', "Every segment's bus address must be a multiple of this (a power of two). A tag with `alignment > 1` can bounce; one above `PAGE_SIZE` gets a bounce zone of its own, whose pages are still only page aligned."),
  arg('boundary', TAG, '0 (none)', 'Segments may not cross a multiple of this. Handled by splitting segments, never by bouncing; `maxsegsz` is lowered to it.'),
  arg('lowaddr', TAG, '`BUS_SPACE_MAXADDR`', 'Start of the exclusion window: the device cannot reach physical addresses above `lowaddr` (up to `highaddr`). Rounded up to the last byte of its page. A tag bounces when `lowaddr < ptoa(Maxmem)`; its bounce pages come from below `lowaddr`. Typical values: `BUS_SPACE_MAXADDR_32BIT`, `BUS_SPACE_MAXADDR_24BIT`.'),
  arg('highaddr', TAG, '`BUS_SPACE_MAXADDR`', 'End of the exclusion window (`lowaddr`, `highaddr`]. Drivers almost always pass `BUS_SPACE_MAXADDR`, so every address above `lowaddr` bounces.'),
  arg('maxsize', TAG, '`PAGE_SIZE` (4096)', 'The largest mapping a map of this tag is meant to hold. Each map grows the bounce zone by up to `MAX(atop(maxsize), 1)` pages (at most `nsegments`); `BUS_DMA_ALLOCNOW` grows the zone to hold `maxsize` bytes.'),
  arg('nsegments', TAG, '1', 'The most scatter/gather segments a load may produce. A load that needs more returns 0 and calls back with `EFBIG`. Also caps the pages each new map adds to the zone (review D37082).'),
  arg('maxsegsz', TAG, 'equal to `maxsize`', 'The largest segment. Loads count bounce pages in steps of `maxsegsz`, and segments are split at it. Lowered to `boundary` when that is smaller; 0 is `EINVAL`.'),
  arg('flags', ['bus_dma_tag_create', 'bus_dmamap_create', 'bus_dmamap_load'], '0 for tags and maps; `BUS_DMA_WAITOK` (0) for loads', 'Flags, combined with `|`. Tags: `BUS_DMA_ALLOCNOW`, `BUS_DMA_KEEP_PG_OFFSET`, `BUS_DMA_COHERENT`. Loads: `BUS_DMA_NOWAIT` (fail with `ENOMEM`) or `BUS_DMA_WAITOK` (defer with `EINPROGRESS`).'),
]);

/** Settings of the `machine` header line. */
export const MACHINE_SETTINGS: ReadonlyMap<string, DocEntry> = entries([
  {
    name: 'maxmem',
    markdown: `${code('machine maxmem=16G')}\n\nPhysical memory of the modelled machine (the kernel's \`Maxmem\`, in pages: \`atop(maxmem)\`). Default 16G. A tag bounces when its \`lowaddr\` is below \`ptoa(Maxmem)\`, so a 32-bit device on a machine with more than 4 GiB bounces; \`maxpages\` is \`MIN(MAX_BPAGES, Maxmem - atop(lowaddr))\`.`,
  },
]);

// ---- constants ----

function constant(name: string, value: bigint, body: string): ConstantDoc {
  let size = binarySize(value);
  if (value === U64_MAX) size = '2^64 − 1';
  else if (!size && binarySize(value + 1n)) size = `${binarySize(value + 1n)} − 1`;
  return { name, value, markdown: `${code(`${name} = 0x${value.toString(16)}`)}\n\n${hexDec(value)}${size ? `, ${size}` : ''}. ${body}` };
}

export const CONSTANTS: ReadonlyMap<string, ConstantDoc> = entries([
  constant('BUS_SPACE_MAXADDR', U64_MAX, 'The highest bus address on amd64 (`sys/x86/include/bus.h`). As `lowaddr` it means the device reaches all memory, so the tag does not bounce for its address (only for `alignment`).'),
  constant('BUS_SPACE_MAXADDR_32BIT', 0xffff_ffffn, 'The highest address of a 32-bit device: as `lowaddr`, every buffer above 4 GiB bounces through pages allocated below 4 GiB.'),
  constant('BUS_SPACE_MAXADDR_24BIT', 0xff_ffffn, 'The highest address of an ISA DMA device (16 MiB): bounce pages come from below 16 MiB. A 24-bit zone created first also serves every later 32-bit tag.'),
  constant('BUS_SPACE_MAXSIZE', U64_MAX, 'The largest transfer size on amd64, for `maxsize` or `maxsegsz` without a limit.'),
  constant('BUS_SPACE_MAXSIZE_32BIT', 0xffff_ffffn, 'The largest transfer size a 32-bit length register can describe.'),
  constant('BUS_SPACE_MAXSIZE_24BIT', 0xff_ffffn, 'The largest transfer size of a 24-bit (ISA) length register.'),
  constant('PAGE_SIZE', 4096n, 'The page size on amd64; every bounce page is one page, and `atop(x)` is `x / PAGE_SIZE`. The default `maxsize` of a tag.'),
  constant('MCLBYTES', 2048n, 'An mbuf cluster: `1 << MCLSHIFT` with `MCLSHIFT` 11 (`sys/sys/param.h`). A common `maxsize` for network receive tags. With `maxsegsz` = `maxsize`, a 4K buffer counts as two 2K chunks and needs two bounce pages.'),
  constant('MJUMPAGESIZE', 4096n, 'A page-sized jumbo mbuf cluster: `PAGE_SIZE` when the page is at most 8 KiB.'),
  constant('MJUM9BYTES', 9216n, 'A 9K jumbo mbuf cluster (`9 * 1024`), for 9000-byte MTUs.'),
  constant('MJUM16BYTES', 16384n, 'A 16K jumbo mbuf cluster (`16 * 1024`).'),
]);

// ---- flags and sync operations ----

function flag(name: string, value: number, sync: boolean, body: string): FlagDoc {
  return { name, value, sync, markdown: `${code(`${name} = 0x${value.toString(16)}`)}\n\n${hexDec(value)}, \`sys/sys/bus_dma.h\`. ${body}` };
}

export const FLAGS: ReadonlyMap<string, FlagDoc> = entries([
  flag('BUS_DMA_WAITOK', 0x00, false, "Safe to sleep (a pseudo-flag, 0). The default for loads: a load that cannot reserve all its bounce pages keeps what it got, waits on the zone's waiting list and returns `EINPROGRESS`; `busdma_thread()` completes it after an unload frees pages."),
  flag('BUS_DMA_NOWAIT', 0x01, false, 'Not safe to sleep. A load that cannot reserve all its bounce pages at once reserves nothing, returns `ENOMEM` and calls back with `ENOMEM`.'),
  flag('BUS_DMA_ALLOCNOW', 0x02, false, "Tag creation: allocate bounce resources now. A tag that could bounce binds its zone at once and grows it to hold `maxsize` bytes (`atop(maxsize)` pages for the whole zone, not capped by `MAX_BPAGES`), or fails with `ENOMEM`. It sets the tag's MIN_ALLOC_COMP, so its first map adds no pages while the zone has no maps. (The D47521 and D48182 review branches leak the zone reference when this allocation fails.)"),
  flag('BUS_DMA_COHERENT', 0x04, false, 'Hint: map memory in a coherent way. The x86 bounce code ignores it (arm64 uses it to skip cache-line bouncing).'),
  flag('BUS_DMA_ZERO', 0x08, false, 'Allocate zeroed memory (`bus_dmamem_alloc`). No effect on bouncing.'),
  flag('BUS_DMA_KEEP_PG_OFFSET', 0x400, false, "Tag hint: keep the buffer's offset within its page in the bounce page, so that a bounced segment's bus address has the same page offset as the original (for devices that need it). Each bounced chunk still uses a whole bounce page."),
  flag('BUS_DMASYNC_PREREAD', 1, true, 'Before the device writes into memory (a read from the device). No copy on x86.'),
  flag('BUS_DMASYNC_POSTREAD', 2, true, "After the device wrote into memory: copies the data from the bounce pages back to the client buffer, and adds 1 to the zone's `total_bounced` (per call, not per page) when the map has bounce pages."),
  flag('BUS_DMASYNC_PREWRITE', 4, true, "Before the device reads memory (a write to the device): copies the client data into the bounce pages, and adds 1 to the zone's `total_bounced` (per call, not per page) when the map has bounce pages."),
  flag('BUS_DMASYNC_POSTWRITE', 8, true, 'After the device read memory. No copy on x86.'),
]);

// ---- errno names ----

function errno(name: string, value: number, text: string, body: string): ErrnoDoc {
  return { name, value, markdown: `${code(`${name} = ${value}`)}\n\n${hexDec(value)}, "${text}" (\`sys/sys/errno.h\`). ${body}` };
}

export const ERRNOS: ReadonlyMap<string, ErrnoDoc> = entries([
  errno('EINPROGRESS', 36, 'Operation now in progress', 'A `BUS_DMA_WAITOK` load could not reserve all its bounce pages: it is queued on the zone\'s waiting list and its callback runs later, from `busdma_thread()`. Not a failure.'),
  errno('ENOMEM', 12, 'Cannot allocate memory', 'A `BUS_DMA_NOWAIT` load found too few free bounce pages; a first `bus_dmamap_create` of a tag, or a `BUS_DMA_ALLOCNOW` tag, could not allocate its pages (the allocator hands out pages below the zone\'s `lowaddr` and above 1 MiB).'),
  errno('EBUSY', 16, 'Device busy', '`bus_dma_tag_destroy` of a tag that still has maps, or `bus_dmamap_destroy` of a map that still holds bounce pages.'),
  errno('EINVAL', 22, 'Invalid argument', '`bus_dma_tag_create` with impossible limits, such as a `maxsegsz` of 0.'),
  errno('EFBIG', 27, 'File too large', 'The buffer needs more segments than the tag\'s `nsegments`. `bus_dmamap_load` still returns 0: only the callback sees `EFBIG` (read it as `cb_error`), and the bounce pages it reserved stay reserved.'),
]);

// ---- kernels, keywords, built-in names ----

export const KERNELS: ReadonlyMap<string, DocEntry> = entries([
  { name: 'legacy', markdown: `${code('kernel legacy')}\n\nFreeBSD 14.x before review D47521: bounce zones are never destroyed, and map create uses the old condition with \`pages = MAX(pages, 1)\`, so every new tag's first map adds at least one page (PR 278569).` },
  { name: 'd47521', markdown: `${code('kernel d47521')}\n\nAfter review D47521: zones are reference-counted by the tags bound to them and destroyed, with their pages, when the last tag goes. Map create is unchanged.` },
  { name: 'd48182', markdown: `${code('kernel d48182')}\n\nAfter review D48182 as well (the default): map create reserves pages only while \`total_bpages < maxpages\`, with no floor of one page.` },
  { name: 'r291142', markdown: `${code('kernel r291142')}\n\n\`legacy\` with the 2015 change r291142 (reverted by r291193): map create allocates only when \`MIN_ALLOC_COMP == 0 && map_count > 0 && total_bpages < maxpages\`, so the first map of a zone gets no pages — why re(4) hung.` },
]);

export const KEYWORDS: ReadonlyMap<string, DocEntry> = entries([
  { name: 'machine', markdown: `${code('machine maxmem=SIZE')}\n\nHeader line, before the first call: physical memory of the machine (\`Maxmem\`). Default 16G.` },
  { name: 'kernel', markdown: `${code('kernel ID')}\n\nHeader line, before the first call: which kernel revision to model — \`legacy\`, \`d47521\`, \`d48182\` (default) or \`r291142\`. A kernel given on the command line or in \`launch.json\` wins.` },
  { name: 'repeat', markdown: `${code('repeat N [as VAR] {\n  ...\n}')}\n\nRuns the block N times; \`VAR\` counts from 0. Blocks nest.` },
  { name: 'as', markdown: `${code('repeat N as VAR {')}\n\nNames the loop variable of a \`repeat\` block (0 to N − 1).` },
  { name: 'expect', markdown: `${code('expect EXPR [, "message"]')}\n\nAn assertion; a failed one raises an \`expect\` event. Right after a call, an \`expect\` that reads \`errno\` or \`cb_error\` also accepts a non-zero errno (no \`error\` event).` },
  { name: 'print', markdown: `${code('print EXPR')}\n\nPrints a value, or every counter of a zone (\`print zone0\`).` },
  { name: 'log', markdown: `${code('log "text"')}\n\nPrints a line of text.` },
  { name: 'sysctl', markdown: `${code('sysctl [PREFIX]')}\n\nPrints the \`hw.busdma\` sysctl tree as the kernel names it: \`hw.busdma.total_bpages\` and, per zone, \`hw.busdma.zoneN.{total_bpages, free_bpages, reserved_bpages, active_bpages, total_bounced, total_deferred, lowaddr, alignment, domain}\`.` },
]);

export const BUILTINS: ReadonlyMap<string, DocEntry> = entries([
  { name: 'errno', markdown: `${code('errno')}\n\nThe return value of the last call (0 on success), as the kernel returns it. A non-zero errno not read by an \`expect\` on the next statement raises an \`error\` event.` },
  { name: 'cb_error', markdown: `${code('cb_error')}\n\nThe error the last load's callback received: \`EFBIG\` for a buffer that needs too many segments, \`ENOMEM\` with a failed \`BUS_DMA_NOWAIT\` load. A deferred load's callback runs from \`busdma_thread()\`. Also a map field: \`M.cb_error\`.` },
  { name: 'leaked_bpages', markdown: `${code('leaked_bpages')}\n\nPages that can never be used or freed again: the pages of orphaned zones, the pages map creates allocated over \`maxpages\`, and pages stranded in reservations of destroyed maps.` },
  { name: 'steps', markdown: `${code('steps')}\n\nThe number of statements executed so far (calls, \`expect\`, \`print\`, \`log\`, \`sysctl\`).` },
  { name: 'global', markdown: `${code('global.total_bpages\nglobal.zone_count')}\n\nKernel-wide state: \`total_bpages\` is the sysctl \`hw.busdma.total_bpages\`.` },
]);

// ---- fields ----

function field(owner: Owner, name: string, body: string): FieldDoc {
  const example = owner === 'zone' ? `zone0.${name}` : owner === 'global' ? `global.${name}` : `${owner === 'tag' ? 'T' : 'M'}.${name}`;
  return { name, owner, markdown: `${code(example)}\n\n${body}` };
}

export const ZONE_FIELDS: ReadonlyMap<string, FieldDoc> = entries([
  field('zone', 'total_bpages', 'Bounce pages the zone owns (`hw.busdma.zoneN.total_bpages`): always `free_bpages + reserved_bpages + active_bpages`. Kept as it was when the zone is destroyed.'),
  field('zone', 'free_bpages', 'Pages on the zone\'s list that no map has reserved.'),
  field('zone', 'reserved_bpages', 'Pages reserved for a load (by a waiting load, or stranded by one that failed with `EFBIG`) but not attached yet.'),
  field('zone', 'active_bpages', 'Pages attached to loaded maps.'),
  field('zone', 'total_bounced', 'Sync calls that copied data: +1 per `PREWRITE` or `POSTREAD` call on a map with bounce pages, not per page.'),
  field('zone', 'total_deferred', 'Waiting loads that an unload of this zone moved to the callback list.'),
  field('zone', 'map_count', 'Maps of every tag bound to the zone, not destroyed. Zone-wide: once it is above 0, every new map of any tag may grow the zone.'),
  field('zone', 'lowaddr', "The `lowaddr` of the tag that created the zone: its pages come from below it. Later tags join the first zone with `lowaddr <= tag.lowaddr`."),
  field('zone', 'alignment', "`MAX(tag.alignment, PAGE_SIZE)` of the tag that created the zone."),
  field('zone', 'refcount', 'Tags holding a reference on the zone (`d47521`, `d48182`); the zone is destroyed when it drops to 0. Not defined for `legacy` and `r291142`.'),
  field('zone', 'tags', 'Live tags bound to the zone (for every kernel). A zone with pages and no tags is orphaned.'),
  field('zone', 'domain', 'The NUMA domain of the zone (0 here).'),
  field('zone', 'destroyed', '1 once `destroy_bounce_zone` freed the zone (`d47521`, `d48182`), else 0.'),
]);

export const TAG_FIELDS: ReadonlyMap<string, FieldDoc> = entries([
  field('tag', 'map_count', 'Maps created on the tag and not destroyed (NULL maps too); `bus_dma_tag_destroy` is `EBUSY` until it is 0.'),
  field('tag', 'lowaddr', 'The tag\'s `lowaddr` after rounding to the end of its page and folding in its parent.'),
  field('tag', 'highaddr', 'The tag\'s `highaddr` after rounding and folding in its parent.'),
  field('tag', 'alignment', 'The required alignment of segment addresses.'),
  field('tag', 'boundary', 'The boundary segments may not cross (0 for none).'),
  field('tag', 'maxsize', 'The largest mapping.'),
  field('tag', 'nsegments', 'The most segments a load may produce.'),
  field('tag', 'maxsegsz', 'The largest segment (after lowering to `boundary`).'),
  field('tag', 'bounce_zone', 'The name of the tag\'s bounce zone (`zoneN`), or `NULL` before its first map or `BUS_DMA_ALLOCNOW`.'),
  field('tag', 'could_bounce', "1 when the tag's BUS_DMA_COULD_BOUNCE flag is set: `lowaddr < ptoa(Maxmem)`, `alignment > 1`, or a parent that could bounce."),
  field('tag', 'min_alloc_comp', "1 when the tag's BUS_DMA_MIN_ALLOC_COMP flag is set: its minimum page allocation is done (first map or `BUS_DMA_ALLOCNOW`)."),
  field('tag', 'flags', 'The flags the tag was created with.'),
  field('tag', 'maxpages', 'The cap map create applies for this tag: `MAX_BPAGES` when `alignment > 1`, else `MIN(MAX_BPAGES, Maxmem - atop(lowaddr))`, computed unsigned.'),
]);

export const MAP_FIELDS: ReadonlyMap<string, FieldDoc> = entries([
  field('map', 'pagesneeded', 'Bounce pages the current load needs (counted once per load; a deferred load keeps it).'),
  field('map', 'pagesreserved', 'Pages reserved for the map but not attached yet.'),
  field('map', 'bpages', 'Bounce pages attached to the map by its current load.'),
  field('map', 'state', '`"idle"`, `"loaded"`, `"waiting"` (on the zone\'s waiting list) or `"callback"` (on the callback list, for `busdma_thread()`).'),
  field('map', 'cb_error', "The error the map's last load callback received (`EFBIG`, `ENOMEM`, or 0)."),
  field('map', 'nsegs', 'Segments of the map\'s last load.'),
]);

export const GLOBAL_FIELDS: ReadonlyMap<string, FieldDoc> = entries([
  field('global', 'total_bpages', 'Bounce pages of every live zone (`hw.busdma.total_bpages`); it goes down when a zone is destroyed.'),
  field('global', 'zone_count', 'Zones created so far; zone numbers are never reused.'),
]);

// ---- lookup ----

const SUFFIX: Record<string, bigint> = { K: 1n << 10n, M: 1n << 20n, G: 1n << 30n, T: 1n << 40n };

/** The value of an integer literal as the trace language writes it (`64K`, `0x1_0000_0000`). */
export function parseInteger(text: string): bigint | undefined {
  const m = /^(?:0[xX](_*[0-9A-Fa-f][0-9A-Fa-f_]*)|([0-9][0-9_]*))([KMGT])?$/.exec(text);
  if (!m) return undefined;
  const v = (m[1] !== undefined ? BigInt('0x' + m[1].replace(/_/g, '')) : BigInt(m[2].replace(/_/g, ''))) * (m[3] ? SUFFIX[m[3]] : 1n);
  return v <= U64_MAX ? v : undefined;
}

function numberDoc(text: string, v: bigint): string {
  const parts = [`\`${text}\` = ${v.toString(10)} = \`0x${v.toString(16)}\``];
  const size = binarySize(v);
  if (size) parts.push(size);
  if (v >= 4096n && v % 4096n === 0n) parts.push(`${v / 4096n} page${v === 4096n ? '' : 's'}`);
  return parts.join(' · ');
}

function fieldDoc(owner: string, name: string): FieldDoc | undefined {
  if (/^zone\d+$/.test(owner)) return ZONE_FIELDS.get(name);
  if (owner === 'global') return GLOBAL_FIELDS.get(name);
  return TAG_FIELDS.get(name) ?? MAP_FIELDS.get(name);
}

/**
 * Markdown documentation for a word under the cursor, or undefined. Accepts what the
 * language configuration's wordPattern selects: names (`BUS_DMA_NOWAIT`, `lowaddr`, `lowaddr:`),
 * state references (`zone0`, `zone0.total_bpages`, `global.total_bpages`, `rx.map_count`,
 * `t[i].lowaddr`) and integer literals (`64K`, `0x1_0000_0000`).
 */
export function docFor(word: string): string | undefined {
  const w = word.trim().replace(/\s*[:(]$/, '');
  if (!w) return undefined;
  for (const table of [CALLS, NAMED_ARGS, CONSTANTS, FLAGS, ERRNOS, KERNELS, KEYWORDS, BUILTINS, MACHINE_SETTINGS] as ReadonlyMap<string, DocEntry>[]) {
    const hit = table.get(w);
    if (hit) return hit.markdown;
  }
  const zone = /^zone(\d+)$/.exec(w);
  if (zone) {
    return `${code(`print zone${zone[1]}`)}\n\nBounce zone ${zone[1]} (\`hw.busdma.zone${zone[1]}\`), the ${ordinal(Number(zone[1]) + 1)} zone created in this run; zone numbers are never reused. Fields: ${[...ZONE_FIELDS.keys()].map((k) => `\`${k}\``).join(', ')}.`;
  }
  const member = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[[^\]]*\])?\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(w);
  if (member) return fieldDoc(member[1], member[2])?.markdown;
  const v = parseInteger(w);
  if (v !== undefined) return numberDoc(w, v);
  return undefined;
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${s}`;
}

/** Every documented name, for completion lists. */
export function allNames(): string[] {
  return [CALLS, NAMED_ARGS, CONSTANTS, FLAGS, ERRNOS, KERNELS, KEYWORDS, BUILTINS].flatMap((m) => [...m.keys()]);
}

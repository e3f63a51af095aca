// Unsigned 64-bit and C integer helpers. The kernel computes addresses in uint64_t
// (bus_addr_t, vm_paddr_t, bus_size_t) and page counts in int / u_int; the simulator
// reproduces those conversions exactly, because the off-by-one and wrap-around cases are
// where the revisions differ (model section 8.3).

export const U64_MASK = 0xffff_ffff_ffff_ffffn;
export const PAGE_SHIFT = 12n;
export const PAGE_SIZE = 4096n;
export const PAGE_MASK = 4095n;

/** Reduce to uint64_t. */
export function u64(x: bigint): bigint {
  return x & U64_MASK;
}

/** trunc_page() on a physical address. */
export function truncPage(x: bigint): bigint {
  return x & ~PAGE_MASK & U64_MASK;
}

/** atop(): bytes to pages, truncating. */
export function atop(x: bigint): bigint {
  return x >> PAGE_SHIFT;
}

/** ptoa(): pages to bytes, as (vm_paddr_t)x << PAGE_SHIFT. */
export function ptoa(pages: bigint | number): bigint {
  return u64(BigInt(pages) << PAGE_SHIFT);
}

/** Conversion of an integer to C int (32-bit two's complement), as gcc does. */
export function toInt32(x: bigint | number): number {
  return Number(BigInt.asIntN(32, BigInt(x)));
}

/** Conversion of an integer to C u_int. */
export function toUint32(x: bigint | number): number {
  return Number(BigInt.asUintN(32, BigInt(x)));
}

export function minU(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

export function maxU(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/** vm_addr_align_ok(): (pa & (alignment - 1)) == 0, in uint64. */
export function alignOk(pa: bigint, alignment: bigint): boolean {
  // alignment 1, the usual tag's, masks nothing: no bigint arithmetic for it.
  return alignment === 1n || (pa & u64(alignment - 1n)) === 0n;
}

/** vm_addr_bound_ok(): ((pa ^ (pa + size - 1)) & -boundary) == 0, in uint64. */
export function boundOk(pa: bigint, size: bigint, boundary: bigint): boolean {
  // boundary 0 (none) makes the mask 0: every segment is fine.
  return boundary === 0n || ((pa ^ u64(pa + size - 1n)) & u64(-boundary)) === 0n;
}

/** roundup2(x, y) = (x + (y - 1)) & ~(y - 1), in uint64. */
export function roundup2(x: bigint, y: bigint): bigint {
  return u64(x + (y - 1n)) & ~u64(y - 1n) & U64_MASK;
}

export function hex(x: bigint | number): string {
  return '0x' + BigInt(x).toString(16);
}

// Values from FreeBSD's sys/sys/bus_dma.h, sys/sys/errno.h, sys/x86/include/bus.h and
// sys/sys/param.h (amd64), under the names the kernel uses.

export const BUS_SPACE_MAXADDR = 0xffff_ffff_ffff_ffffn;
export const BUS_SPACE_MAXADDR_32BIT = 0xffff_ffffn;
export const BUS_SPACE_MAXADDR_24BIT = 0x00ff_ffffn;
export const BUS_SPACE_MAXSIZE = 0xffff_ffff_ffff_ffffn;
export const BUS_SPACE_MAXSIZE_32BIT = 0xffff_ffffn;
export const BUS_SPACE_MAXSIZE_24BIT = 0x00ff_ffffn;

export const BUS_DMA_WAITOK = 0x00;
export const BUS_DMA_NOWAIT = 0x01;
export const BUS_DMA_ALLOCNOW = 0x02;
export const BUS_DMA_COHERENT = 0x04;
export const BUS_DMA_ZERO = 0x08;
export const BUS_DMA_KEEP_PG_OFFSET = 0x400;

export const BUS_DMASYNC_PREREAD = 1;
export const BUS_DMASYNC_POSTREAD = 2;
export const BUS_DMASYNC_PREWRITE = 4;
export const BUS_DMASYNC_POSTWRITE = 8;

// x86 bounce_flags (sys/x86/x86/busdma_bounce.c)
export const BUS_DMA_COULD_BOUNCE = 0x01;
export const BUS_DMA_MIN_ALLOC_COMP = 0x02;

export const MAX_BPAGES = 8192; // amd64

export const ENOMEM = 12;
export const EBUSY = 16;
export const EINVAL = 22;
export const EFBIG = 27;
export const EINPROGRESS = 36;

export const ERRNO_NAMES: Record<number, string> = {
  [ENOMEM]: 'ENOMEM',
  [EBUSY]: 'EBUSY',
  [EINVAL]: 'EINVAL',
  [EFBIG]: 'EFBIG',
  [EINPROGRESS]: 'EINPROGRESS',
};

export function errnoName(e: number): string {
  return e === 0 ? '0' : (ERRNO_NAMES[e] ?? String(e));
}

/** Named constants of the trace language (trace-language.md section 1). */
export const NAMED_CONSTANTS: Record<string, bigint> = {
  BUS_SPACE_MAXADDR,
  BUS_SPACE_MAXADDR_32BIT,
  BUS_SPACE_MAXADDR_24BIT,
  BUS_SPACE_MAXSIZE,
  BUS_SPACE_MAXSIZE_32BIT,
  BUS_SPACE_MAXSIZE_24BIT,
  PAGE_SIZE: 4096n,
  MCLBYTES: 2048n,
  MJUMPAGESIZE: 4096n,
  MJUM9BYTES: 9216n,
  MJUM16BYTES: 16384n,
  BUS_DMA_ALLOCNOW: BigInt(BUS_DMA_ALLOCNOW),
  BUS_DMA_WAITOK: BigInt(BUS_DMA_WAITOK),
  BUS_DMA_NOWAIT: BigInt(BUS_DMA_NOWAIT),
  BUS_DMA_COHERENT: BigInt(BUS_DMA_COHERENT),
  BUS_DMA_KEEP_PG_OFFSET: BigInt(BUS_DMA_KEEP_PG_OFFSET),
  BUS_DMA_ZERO: BigInt(BUS_DMA_ZERO),
  BUS_DMASYNC_PREREAD: BigInt(BUS_DMASYNC_PREREAD),
  BUS_DMASYNC_POSTREAD: BigInt(BUS_DMASYNC_POSTREAD),
  BUS_DMASYNC_PREWRITE: BigInt(BUS_DMASYNC_PREWRITE),
  BUS_DMASYNC_POSTWRITE: BigInt(BUS_DMASYNC_POSTWRITE),
  EINPROGRESS: BigInt(EINPROGRESS),
  ENOMEM: BigInt(ENOMEM),
  EBUSY: BigInt(EBUSY),
  EINVAL: BigInt(EINVAL),
  EFBIG: BigInt(EFBIG),
};

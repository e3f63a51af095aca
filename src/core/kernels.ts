// The four kernel revisions, as strategies over one model. Each differs from the others
// only where the real code differs (model section 5, trace-language section 4).

export type KernelId = 'legacy' | 'd47521' | 'd48182' | 'r291142';
export const KERNEL_IDS: readonly KernelId[] = ['legacy', 'd47521', 'd48182', 'r291142'];
export const DEFAULT_KERNEL: KernelId = 'd48182';

export interface GrowInput {
  minAllocComp: boolean;   // tag has BUS_DMA_MIN_ALLOC_COMP
  zoneMapCount: number;    // bz->map_count (zone-wide)
  zoneTotal: number;       // bz->total_bpages
  maxpages: number;        // per-tag cap (int)
}

export interface KernelStrategy {
  readonly id: KernelId;
  readonly description: string;
  /** D47521: zones carry a refcount and are destroyed with the last tag. */
  readonly refcountedZones: boolean;
  /** The map-create condition for growing the zone. */
  shouldGrow(g: GrowInput): boolean;
  /** `pages = MAX(pages, 1)`: the floor that D48182 removed. */
  readonly floorOnePage: boolean;
}

export const KERNELS: Record<KernelId, KernelStrategy> = {
  legacy: {
    id: 'legacy',
    description: 'FreeBSD 14.x before D47521: zones never destroyed, old map-create condition with MAX(pages, 1)',
    refcountedZones: false,
    shouldGrow: (g) => !g.minAllocComp || (g.zoneMapCount > 0 && g.zoneTotal < g.maxpages),
    floorOnePage: true,
  },
  d47521: {
    id: 'd47521',
    description: 'after D47521: refcounted zones destroyed with their last tag; map create unchanged',
    refcountedZones: true,
    shouldGrow: (g) => !g.minAllocComp || (g.zoneMapCount > 0 && g.zoneTotal < g.maxpages),
    floorOnePage: true,
  },
  d48182: {
    id: 'd48182',
    description: 'after D48182 too: map create grows the zone only while total_bpages < maxpages, no floor',
    refcountedZones: true,
    shouldGrow: (g) => (!g.minAllocComp || g.zoneMapCount > 0) && g.zoneTotal < g.maxpages,
    floorOnePage: false,
  },
  r291142: {
    id: 'r291142',
    description: 'legacy with r291142 (reverted by r291193): the first map of a zone gets no pages',
    refcountedZones: false,
    shouldGrow: (g) => !g.minAllocComp && g.zoneMapCount > 0 && g.zoneTotal < g.maxpages,
    floorOnePage: true,
  },
};

export function isKernelId(s: string): s is KernelId {
  return (KERNEL_IDS as readonly string[]).includes(s);
}

// `sysctl hw.busdma` as FreeBSD prints it: the per-zone nodes that alloc_bounce_zone()
// registers, newest OID first as sysctl(8) lists dynamic OID_AUTO nodes, then the global
// hw.busdma.total_bpages. Destroyed zones are gone from the tree (D47521).

import type { SimState, Zone } from '../core/state';

function zoneLines(z: Zone): string[] {
  const p = `hw.busdma.${z.name}.`;
  return [
    `${p}total_deferred_time: 0`,
    `${p}domain: ${z.domain}`,
    `${p}alignment: ${z.alignment}`,
    `${p}lowaddr: 0x${z.lowaddr.toString(16)}`,
    `${p}total_deferred: ${z.total_deferred}`,
    `${p}total_bounced: ${z.total_bounced}`,
    `${p}active_bpages: ${z.active_bpages}`,
    `${p}reserved_bpages: ${z.reserved_bpages}`,
    `${p}free_bpages: ${z.free_bpages}`,
    `${p}total_bpages: ${z.total_bpages}`,
  ];
}

export function sysctlLines(s: SimState, prefix?: string): string[] {
  const all: string[] = [];
  for (let i = s.zoneList.length - 1; i >= 0; i--) all.push(...zoneLines(s.zones[s.zoneList[i]]));
  all.push(`hw.busdma.total_bpages: ${s.total_bpages}`);
  if (!prefix) return all;
  const out = all.filter((l) => {
    const name = l.slice(0, l.indexOf(':'));
    return name === prefix || name.startsWith(prefix + '.') || prefix === 'hw' ;
  });
  if (out.length === 0) return [`sysctl: unknown oid '${prefix}'`];
  return out;
}

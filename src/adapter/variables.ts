// The Variables view: scopes for zones, tags, maps, bounce pages, the hw.busdma sysctl tree and
// the last call, every object expandable to its fields as the kernel names them. References are
// only valid for one stop (reset() on every resume); long lists are paged (indexedVariables)
// and computed only when expanded.

import type { DebugProtocol } from '@vscode/debugprotocol';
import { Handles } from '@vscode/debugadapter';
import { errnoName } from '../core/constants';
import type { DmaMap, Tag, Zone, BouncePage } from '../core/state';
import { mapState, tagField, type Handle } from '../trace/runner';
import { sysctlLines } from '../trace/sysctl';
import type { Debuggee } from './debuggee';
import { GLOBAL_COUNTERS, MAP_COUNTERS, TAG_COUNTERS, ZONE_COUNTERS, dataIdForExpression } from './breakpoints';

type ScopeName = 'loop' | 'zones' | 'tags' | 'maps' | 'pages' | 'sysctl' | 'last';

export type Ref =
  | { k: 'scope'; s: ScopeName }
  | { k: 'zone'; id: number }
  | { k: 'zoneTags'; id: number }
  | { k: 'zoneMaps'; id: number }
  | { k: 'zoneList'; id: number }
  | { k: 'zoneActive'; id: number }
  | { k: 'zoneWaiting'; id: number }
  | { k: 'zonePages'; id: number }
  | { k: 'group'; kind: 'tag' | 'map'; base: string }
  | { k: 'tag'; key: string }
  | { k: 'tagMaps'; key: string }
  | { k: 'map'; key: string }
  | { k: 'mapPages'; key: string }
  | { k: 'mapSegs'; key: string }
  | { k: 'page'; id: number }
  | { k: 'callbacklist' };

const SCOPES: { s: ScopeName; name: string; hint?: DebugProtocol.Scope['presentationHint']; expensive?: boolean }[] = [
  { s: 'zones', name: 'Zones' },
  { s: 'tags', name: 'Tags' },
  { s: 'maps', name: 'Maps' },
  { s: 'pages', name: 'Bounce pages', expensive: true },
  { s: 'sysctl', name: 'hw.busdma' },
  { s: 'last', name: 'Last call', hint: 'registers' },
];

const hex = (v: bigint | number) => '0x' + v.toString(16);
const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;

function errnoText(e: number): string {
  return e === 0 ? '0' : `${errnoName(e)} (${e})`;
}

export class VariableStore {
  private handles = new Handles<Ref>();
  private cache = new Map<string, unknown>();

  constructor(private d: Debuggee) {}

  /** References die with the stop they were made for. */
  reset(): void {
    this.handles.reset();
    this.cache.clear();
  }

  private ref(r: Ref): number {
    return this.handles.create(r);
  }

  get(ref: number): Ref | undefined {
    return this.handles.get(ref);
  }

  private get st() {
    return this.d.runner.core.state;
  }

  private memo<T>(key: string, f: () => T): T {
    if (this.cache.has(key)) return this.cache.get(key) as T;
    const v = f();
    this.cache.set(key, v);
    return v;
  }

  // ---- scopes --------------------------------------------------------------------------------

  scopes(): DebugProtocol.Scope[] {
    const out: DebugProtocol.Scope[] = [];
    if (this.d.loops().length > 0) {
      out.push({ name: 'Loop', variablesReference: this.ref({ k: 'scope', s: 'loop' }), expensive: false, presentationHint: 'locals' });
    }
    for (const sc of SCOPES) {
      const s: DebugProtocol.Scope = { name: sc.name, variablesReference: this.ref({ k: 'scope', s: sc.s }), expensive: !!sc.expensive };
      if (sc.hint) s.presentationHint = sc.hint;
      const n = this.scopeCount(sc.s);
      if (n !== undefined) s.namedVariables = n;
      out.push(s);
    }
    return out;
  }

  private scopeCount(s: ScopeName): number | undefined {
    switch (s) {
      case 'zones': return this.st.zones.length;
      case 'tags': return this.groups('tag').length;
      case 'maps': return this.groups('map').length;
      default: return undefined;
    }
  }

  // ---- variables -----------------------------------------------------------------------------

  variables(ref: number, filter?: 'indexed' | 'named', start = 0, count = 0): DebugProtocol.Variable[] {
    const r = this.handles.get(ref);
    if (!r) return [];
    // Always slice: page lists are lazy (only the requested window is built).
    return this.children(r, filter).slice(start, count > 0 ? start + count : undefined);
  }

  /** Children of a reference. Indexed containers are sliced by the caller; they are cheap to list lazily. */
  private children(r: Ref, filter?: 'indexed' | 'named'): DebugProtocol.Variable[] {
    switch (r.k) {
      case 'scope': return this.scopeChildren(r.s);
      case 'zone': return filter === 'indexed' ? [] : this.zoneChildren(this.st.zones[r.id]);
      case 'zoneTags': return this.tagsOfZone(r.id).map((k) => this.tagVar(k, k));
      case 'zoneMaps': return this.mapsOfZone(r.id).map((m) => this.mapVarById(m));
      case 'zoneList': return this.pageVars(this.st.zones[r.id].bounce_page_list.toArray());
      case 'zoneActive': return this.pageVars(this.activePages(r.id));
      case 'zoneWaiting': return this.st.zones[r.id].bounce_map_waitinglist.toArray().map((m, i) => this.mapVarById(m, `[${i}]`));
      case 'zonePages': return this.pageVars(this.pagesOfZone(r.id));
      case 'group': return this.groupKeys(r.kind, r.base).map((k) => (r.kind === 'tag' ? this.tagVar(k, k) : this.mapVar(k, k)));
      case 'tag': return this.tagChildren(r.key);
      case 'tagMaps': return this.mapsOfTag(r.key).map((m) => this.mapVarById(m));
      case 'map': return this.mapChildren(r.key);
      case 'mapPages': {
        const m = this.mapOf(r.key);
        return m ? this.pageVars(m.bpages) : [];
      }
      case 'mapSegs': {
        const m = this.mapOf(r.key);
        return m ? m.segs.map((s, i) => ({ name: `[${i}]`, value: `${hex(s.addr)}:${s.len}`, variablesReference: 0 })) : [];
      }
      case 'page': return this.pageChildren(this.st.pages.get(r.id));
      case 'callbacklist': return this.st.bounce_map_callbacklist.toArray().map((m, i) => this.mapVarById(m, `[${i}]`));
    }
  }

  private scopeChildren(s: ScopeName): DebugProtocol.Variable[] {
    const d = this.d;
    switch (s) {
      case 'loop': {
        const out: DebugProtocol.Variable[] = [];
        for (const f of d.loops()) {
          const label = `repeat ${f.iter + 1}/${f.count}`;
          if (f.repeat.var) out.push({ name: f.repeat.var, value: String(f.iter), variablesReference: 0, evaluateName: f.repeat.var, type: `line ${f.repeat.loc.line}: ${label}` });
          else out.push({ name: `line ${f.repeat.loc.line}`, value: label, variablesReference: 0 });
        }
        return out;
      }
      case 'zones':
        return this.st.zones.map((z) => this.zoneVar(z));
      case 'tags':
        return this.groups('tag').map((g) => this.groupVar('tag', g));
      case 'maps': {
        const out = this.groups('map').map((g) => this.groupVar('map', g));
        if (this.st.bounce_map_callbacklist.length) {
          out.push({
            name: 'bounce_map_callbacklist', value: plural(this.st.bounce_map_callbacklist.length, 'deferred load') + ' for the busdma thread',
            variablesReference: this.ref({ k: 'callbacklist' }), indexedVariables: this.st.bounce_map_callbacklist.length,
          });
        }
        return out;
      }
      case 'pages':
        return this.st.zoneList.map((zid) => {
          const z = this.st.zones[zid];
          return {
            name: z.name, value: `${plural(z.total_bpages, 'page')}: ${z.free_bpages} free, ${z.reserved_bpages} reserved, ${z.active_bpages} active`,
            variablesReference: z.total_bpages ? this.ref({ k: 'zonePages', id: z.id }) : 0, indexedVariables: z.total_bpages || undefined,
          };
        });
      case 'sysctl':
        return sysctlLines(this.st).map((l) => {
          const i = l.indexOf(': ');
          const name = l.slice(0, i);
          return { name, value: l.slice(i + 2), variablesReference: 0, evaluateName: name };
        });
      case 'last': {
        const r = d.runner;
        const line = d.lastCallLine();
        const events = Object.entries(r.st.eventCounts).map(([k, n]) => `${k} ${n}`).join(', ');
        return [
          { name: 'call', value: line ? `${d.lineText(line)}  (line ${line})` : '(no call yet)', variablesReference: 0 },
          { name: 'errno', value: errnoText(r.st.errno), variablesReference: 0, evaluateName: 'errno' },
          { name: 'cb_error', value: errnoText(r.st.cb_error), variablesReference: 0, evaluateName: 'cb_error' },
          { name: 'steps', value: String(r.st.steps), variablesReference: 0, evaluateName: 'steps' },
          { name: 'leaked_bpages', value: String(r.core.leakedBpages()), variablesReference: 0, evaluateName: 'leaked_bpages' },
          { name: 'global.total_bpages', value: String(this.st.total_bpages), variablesReference: 0, evaluateName: 'global.total_bpages' },
          { name: 'global.zone_count', value: String(this.st.busdma_zonecount), variablesReference: 0, evaluateName: 'global.zone_count' },
          { name: 'expects', value: `${r.st.expects.passed} passed, ${r.st.expects.failed} failed`, variablesReference: 0 },
          { name: 'events', value: events || 'none', variablesReference: 0 },
          { name: 'kernel', value: r.kernel, variablesReference: 0 },
        ];
      }
    }
  }

  // ---- zones ---------------------------------------------------------------------------------

  zoneSummary(z: Zone): string {
    return `total ${z.total_bpages}, free ${z.free_bpages}, reserved ${z.reserved_bpages}, active ${z.active_bpages}`
      + (z.refcount !== null ? `, refcount ${z.refcount}` : '') + (z.destroyed ? ' (destroyed)' : '');
  }

  zoneVar(z: Zone): DebugProtocol.Variable {
    return { name: z.name, value: this.zoneSummary(z), variablesReference: this.ref({ k: 'zone', id: z.id }), evaluateName: z.name, namedVariables: 20 };
  }

  private zoneChildren(z: Zone): DebugProtocol.Variable[] {
    const n = (f: string, v: number) => ({ name: f, value: String(v), variablesReference: 0, evaluateName: `${z.name}.${f}` });
    const out: DebugProtocol.Variable[] = [
      n('total_bpages', z.total_bpages), n('free_bpages', z.free_bpages), n('reserved_bpages', z.reserved_bpages),
      n('active_bpages', z.active_bpages), n('total_bounced', z.total_bounced), n('total_deferred', z.total_deferred),
      n('map_count', z.map_count),
    ];
    if (z.refcount !== null) out.push(n('refcount', z.refcount));
    out.push(
      { name: 'lowaddr', value: hex(z.lowaddr), variablesReference: 0, evaluateName: `${z.name}.lowaddr` },
      { name: 'alignment', value: String(z.alignment), variablesReference: 0, evaluateName: `${z.name}.alignment` },
      n('domain', z.domain),
    );
    const tags = this.tagsOfZone(z.id);
    out.push({ name: 'tags', value: `${z.tags}${tags.length ? ': ' + clip(tags) : ''}`, variablesReference: tags.length ? this.ref({ k: 'zoneTags', id: z.id }) : 0, evaluateName: `${z.name}.tags`, indexedVariables: tags.length || undefined });
    const maps = this.mapsOfZone(z.id);
    out.push({ name: 'maps', value: plural(maps.length, 'live map'), variablesReference: maps.length ? this.ref({ k: 'zoneMaps', id: z.id }) : 0, indexedVariables: maps.length || undefined });
    const listLen = z.bounce_page_list.length;
    out.push({
      name: 'bounce_page_list', value: `${plural(listLen, 'page')} (${z.free_bpages} free, ${z.reserved_bpages} reserved)`,
      variablesReference: listLen ? this.ref({ k: 'zoneList', id: z.id }) : 0, indexedVariables: listLen || undefined,
    });
    out.push({
      name: 'active pages', value: `${plural(z.active_bpages, 'page')} attached to maps`,
      variablesReference: z.active_bpages && !z.destroyed ? this.ref({ k: 'zoneActive', id: z.id }) : 0, indexedVariables: (z.active_bpages && !z.destroyed) ? z.active_bpages : undefined,
    });
    const w = z.bounce_map_waitinglist.length;
    out.push({
      name: 'bounce_map_waitinglist', value: w ? plural(w, 'map') + ' waiting' : 'empty',
      variablesReference: w ? this.ref({ k: 'zoneWaiting', id: z.id }) : 0, indexedVariables: w || undefined,
    });
    if (z.overcap_bpages) out.push({ name: 'pages over cap', value: String(z.overcap_bpages), variablesReference: 0 });
    if (z.stranded_bpages) out.push({ name: 'stranded reservations', value: String(z.stranded_bpages), variablesReference: 0 });
    if (!z.destroyed && z.tags === 0 && z.total_bpages > 0) out.push({ name: 'orphaned', value: `yes: ${plural(z.total_bpages, 'page')} no tag can use or free`, variablesReference: 0 });
    if (z.destroyed) out.push({ name: 'destroyed', value: 'yes (counters as the kernel left them)', variablesReference: 0 });
    out.push({ name: 'created at', value: `line ${z.line}`, variablesReference: 0 });
    return out;
  }

  /** Handle keys of the live tags bound to a zone. */
  private tagsOfZone(zid: number): string[] {
    return this.memo(`zt${zid}`, () => {
      const names = this.idNames('tag');
      const out: string[] = [];
      for (const t of this.st.tags.values()) if (!t.destroyed && t.zone === zid) out.push(names.get(t.id) ?? t.label);
      return out;
    });
  }

  private mapsOfZone(zid: number): number[] {
    return this.memo(`zm${zid}`, () => {
      const out: number[] = [];
      for (const m of this.st.maps.values()) {
        if (m.destroyed) continue;
        const t = this.st.tags.get(m.tag);
        if (t && t.zone === zid) out.push(m.id);
      }
      return out;
    });
  }

  private activePages(zid: number): number[] {
    return this.memo(`za${zid}`, () => {
      const out: number[] = [];
      for (const p of this.st.pages.values()) if (p.zone === zid && p.map !== -1) out.push(p.id);
      return out;
    });
  }

  private pagesOfZone(zid: number): number[] {
    return this.memo(`zp${zid}`, () => [...this.st.zones[zid].bounce_page_list.toArray(), ...this.activePages(zid)]);
  }

  // ---- pages ---------------------------------------------------------------------------------

  /** Page ids to variables: only the requested slice is ever built (see variables()). */
  private pageVars(ids: number[]): DebugProtocol.Variable[] {
    return new LazyList(ids.length, (i) => this.pageVar(ids[i], `[${i}]`)) as unknown as DebugProtocol.Variable[];
  }

  private pageVar(id: number, name: string): DebugProtocol.Variable {
    const p = this.st.pages.get(id);
    if (!p) return { name, value: `page ${id} (freed)`, variablesReference: 0 };
    return { name, value: this.pageSummary(p), variablesReference: this.ref({ k: 'page', id }), namedVariables: 6 };
  }

  private pageSummary(p: BouncePage): string {
    const addr = hex(p.busaddr);
    if (p.map === -1) return `${addr} on ${this.st.zones[p.zone].name}'s bounce_page_list`;
    const m = this.st.maps.get(p.map);
    return `${addr} → map ${m ? this.mapName(m) : p.map}` + (p.datacount ? `, data ${hex(p.dataaddr)} (${p.datacount} bytes)` : '');
  }

  private pageChildren(p: BouncePage | undefined): DebugProtocol.Variable[] {
    if (!p) return [];
    const m = p.map === -1 ? undefined : this.st.maps.get(p.map);
    return [
      { name: 'busaddr', value: hex(p.busaddr), variablesReference: 0 },
      { name: 'pgoffset', value: hex(p.pgoffset), variablesReference: 0 },
      { name: 'dataaddr', value: hex(p.dataaddr), variablesReference: 0 },
      { name: 'datacount', value: String(p.datacount), variablesReference: 0 },
      { name: 'zone', value: this.st.zones[p.zone].name, variablesReference: 0 },
      { name: 'map', value: m ? this.mapName(m) : 'none (on the zone list)', variablesReference: 0 },
    ];
  }

  // ---- handles: tags and maps ------------------------------------------------------------------

  /** Handle names grouped by base: `rx` alone, or `t` for t[0], t[1], ... */
  private groups(kind: 'tag' | 'map'): { base: string; keys: string[] }[] {
    return this.memo(`g${kind}`, () => {
      const by = new Map<string, string[]>();
      for (const [key, h] of this.d.runner.st.handles) {
        if (h.kind !== kind) continue;
        const b = key.indexOf('[');
        const base = b < 0 ? key : key.slice(0, b) + '[]';
        const l = by.get(base);
        if (l) l.push(key); else by.set(base, [key]);
      }
      const out = [...by].map(([base, keys]) => ({ base, keys }));
      for (const g of out) if (g.base.endsWith('[]')) g.keys.sort((a, b) => idx(a) - idx(b));
      return out;
    });
  }

  private groupKeys(kind: 'tag' | 'map', base: string): string[] {
    return this.groups(kind).find((g) => g.base === base)?.keys ?? [];
  }

  private groupVar(kind: 'tag' | 'map', g: { base: string; keys: string[] }): DebugProtocol.Variable {
    if (!g.base.endsWith('[]')) return kind === 'tag' ? this.tagVar(g.keys[0], g.keys[0]) : this.mapVar(g.keys[0], g.keys[0]);
    const live = g.keys.filter((k) => !('error' in this.d.runner.object(k))).length;
    return {
      name: g.base, value: `${plural(g.keys.length, kind)} (${live} live)`,
      variablesReference: this.ref({ k: 'group', kind, base: g.base }), indexedVariables: g.keys.length,
    };
  }

  /** Handle key of each object id (the name the trace gave it last). */
  private idNames(kind: 'tag' | 'map'): Map<number, string> {
    return this.memo(`n${kind}`, () => {
      const m = new Map<number, string>();
      for (const [key, h] of this.d.runner.st.handles) if (h.kind === kind && h.id) m.set(h.id, key);
      return m;
    });
  }

  private mapName(m: DmaMap): string {
    return this.idNames('map').get(m.id) ?? m.label;
  }

  private handleError(key: string): string | undefined {
    const o = this.d.runner.object(key);
    return 'error' in o ? o.error : undefined;
  }

  tagSummary(t: Tag): string {
    const z = t.zone >= 0 ? this.st.zones[t.zone] : undefined;
    return `${z ? z.name : 'no bounce zone'}, ${plural(t.map_count, 'map')}, lowaddr ${hex(t.lowaddr)}`;
  }

  tagVar(key: string, name: string): DebugProtocol.Variable {
    const h = this.d.runner.st.handles.get(key);
    const o = this.d.runner.object(key);
    if ('error' in o || o.kind !== 'tag') return { name, value: handleProblem(h, 'error' in o ? o.error : 'not a tag'), variablesReference: 0 };
    return { name, value: this.tagSummary(o.tag), variablesReference: this.ref({ k: 'tag', key }), evaluateName: key, namedVariables: 16 };
  }

  private tagChildren(key: string): DebugProtocol.Variable[] {
    const o = this.d.runner.object(key);
    if ('error' in o || o.kind !== 'tag') return [];
    const t = o.tag;
    const core = this.d.runner.core;
    const f = (name: string, value: string) => ({ name, value, variablesReference: 0, evaluateName: `${key}.${name}` });
    const z = t.zone >= 0 ? this.st.zones[t.zone] : undefined;
    const parent = t.parent >= 0 ? this.st.tags.get(t.parent) : undefined;
    const maps = this.mapsOfTag(key);
    return [
      z ? { name: 'bounce_zone', value: this.zoneSummary(z), variablesReference: this.ref({ k: 'zone', id: z.id }), evaluateName: z.name } : f('bounce_zone', 'NULL'),
      f('map_count', String(t.map_count)),
      f('lowaddr', hex(t.lowaddr)), f('highaddr', hex(t.highaddr)), f('alignment', hex(t.alignment)), f('boundary', hex(t.boundary)),
      f('maxsize', hex(t.maxsize)), f('nsegments', String(t.nsegments)), f('maxsegsz', hex(t.maxsegsz)), f('flags', hex(t.flags)),
      f('could_bounce', String(tagField(core, t, 'could_bounce'))), f('min_alloc_comp', String(tagField(core, t, 'min_alloc_comp'))),
      f('maxpages', String(t.maxpages)),
      { name: 'parent', value: parent ? (this.idNames('tag').get(parent.id) ?? parent.label) : 'none', variablesReference: 0 },
      { name: 'maps', value: plural(maps.length, 'live map'), variablesReference: maps.length ? this.ref({ k: 'tagMaps', key }) : 0, indexedVariables: maps.length || undefined },
      { name: 'created at', value: `line ${t.line}`, variablesReference: 0 },
    ];
  }

  private mapsOfTag(key: string): number[] {
    return this.memo(`tm${key}`, () => {
      const o = this.d.runner.object(key);
      if ('error' in o || o.kind !== 'tag') return [];
      const out: number[] = [];
      for (const m of this.st.maps.values()) if (!m.destroyed && m.tag === o.tag.id) out.push(m.id);
      return out;
    });
  }

  private mapOf(key: string): DmaMap | undefined {
    const o = this.d.runner.object(key);
    return 'error' in o || o.kind !== 'map' ? undefined : o.map;
  }

  mapSummary(m: DmaMap): string {
    if (m.isNull) return 'NULL map (the tag cannot bounce)';
    const s = mapState(m);
    if (s === 'waiting') return `waiting for ${m.pagesneeded - m.pagesreserved} of ${m.pagesneeded} pages`;
    if (s === 'callback') return 'deferred load ready for the busdma thread';
    return `${s}, ${plural(m.bpages.length, 'bounce page')}` + (m.pagesreserved ? `, ${m.pagesreserved} reserved` : '');
  }

  private mapVarById(id: number, name?: string): DebugProtocol.Variable {
    const m = this.st.maps.get(id);
    if (!m) return { name: name ?? String(id), value: '(freed)', variablesReference: 0 };
    const key = this.idNames('map').get(id);
    if (key && !this.handleError(key)) return this.mapVar(key, name ?? key);
    return { name: name ?? m.label, value: this.mapSummary(m) + (m.destroyed ? ' (destroyed)' : ''), variablesReference: 0 };
  }

  mapVar(key: string, name: string): DebugProtocol.Variable {
    const h = this.d.runner.st.handles.get(key);
    const o = this.d.runner.object(key);
    if ('error' in o || o.kind !== 'map') return { name, value: handleProblem(h, 'error' in o ? o.error : 'not a map'), variablesReference: 0 };
    return { name, value: this.mapSummary(o.map), variablesReference: this.ref({ k: 'map', key }), evaluateName: key, namedVariables: 10 };
  }

  private mapChildren(key: string): DebugProtocol.Variable[] {
    const m = this.mapOf(key);
    if (!m) return [];
    const f = (name: string, value: string) => ({ name, value, variablesReference: 0, evaluateName: `${key}.${name}` });
    const t = this.st.tags.get(m.tag);
    return [
      f('state', mapState(m)),
      f('pagesneeded', String(m.pagesneeded)),
      f('pagesreserved', String(m.pagesreserved)),
      { name: 'bpages', value: String(m.bpages.length), variablesReference: m.bpages.length ? this.ref({ k: 'mapPages', key }) : 0, evaluateName: `${key}.bpages`, indexedVariables: m.bpages.length || undefined },
      f('cb_error', errnoText(m.cb_error)),
      { name: 'nsegs', value: String(m.segs.length), variablesReference: m.segs.length ? this.ref({ k: 'mapSegs', key }) : 0, evaluateName: `${key}.nsegs`, indexedVariables: m.segs.length || undefined },
      { name: 'queue', value: this.queuePlace(m), variablesReference: 0 },
      { name: 'tag', value: t ? (this.idNames('tag').get(t.id) ?? t.label) : '?', variablesReference: 0 },
      { name: 'created at', value: `line ${m.line}`, variablesReference: 0 },
    ];
  }

  /** A map's place on a waiting list or the callback list. */
  queuePlace(m: DmaMap): string {
    if (m.queue === 'waiting') {
      const t = this.st.tags.get(m.dmat);
      const z = t && t.zone >= 0 ? this.st.zones[t.zone] : undefined;
      const list = z ? z.bounce_map_waitinglist.toArray() : [];
      return `${list.indexOf(m.id) + 1} of ${list.length} on ${z?.name ?? '?'}'s bounce_map_waitinglist (queued at line ${m.queuedLine})`;
    }
    if (m.queue === 'callback') {
      const list = this.st.bounce_map_callbacklist.toArray();
      return `${list.indexOf(m.id) + 1} of ${list.length} on bounce_map_callbacklist (queued at line ${m.queuedLine})`;
    }
    return 'not queued';
  }

  // ---- objects for evaluate ----------------------------------------------------------------------

  zoneRef(z: Zone): number {
    return this.ref({ k: 'zone', id: z.id });
  }

  objectRef(key: string, kind: 'tag' | 'map'): number {
    return this.ref({ k: kind, key });
  }

  // ---- data breakpoints ---------------------------------------------------------------------------

  /** The dataId of a variable, or a reason it has none. */
  dataIdFor(ref: number | undefined, name: string): { dataId: string; description: string } | { reason: string } {
    const r = ref ? this.handles.get(ref) : undefined;
    const no = { reason: `${name} is not a counter busdma-trace can watch` };
    if (!r) {
      const id = dataIdForExpression(name);
      return id ? { dataId: id, description: name } : no;
    }
    if (r.k === 'zone') {
      const z = this.st.zones[r.id];
      return ZONE_COUNTERS.includes(name) && z ? { dataId: `zone:${z.name}/${name}`, description: `${z.name}.${name}` } : no;
    }
    if (r.k === 'tag') return TAG_COUNTERS.includes(name) ? { dataId: `tag:${r.key}/${name}`, description: `${r.key}.${name}` } : no;
    if (r.k === 'map') return MAP_COUNTERS.includes(name) ? { dataId: `map:${r.key}/${name}`, description: `${r.key}.${name}` } : no;
    if (r.k === 'scope' && r.s === 'last') {
      const f = name.replace(/^global\./, '');
      return GLOBAL_COUNTERS.includes(f) ? { dataId: `global/${f}`, description: name } : no;
    }
    if (r.k === 'scope' && r.s === 'sysctl') {
      const id = dataIdForExpression(name);
      return id ? { dataId: id, description: name } : no;
    }
    return no;
  }
}

function idx(key: string): number {
  const m = /\[(\d+)\]$/.exec(key);
  return m ? Number(m[1]) : 0;
}

function clip(names: string[]): string {
  return names.length <= 4 ? names.join(', ') : `${names.slice(0, 4).join(', ')}, ...`;
}

function handleProblem(h: Handle | undefined, error: string): string {
  if (h && h.id === 0) return `NULL (create at line ${h.line} failed with ${errnoName(h.errno)})`;
  return error;
}

/** An array-like whose elements are built on access: a page list of 8,192 entries costs nothing until sliced. */
class LazyList {
  [i: number]: DebugProtocol.Variable;
  constructor(readonly length: number, private make: (i: number) => DebugProtocol.Variable) {}
  slice(start = 0, end = this.length): DebugProtocol.Variable[] {
    const out: DebugProtocol.Variable[] = [];
    for (let i = Math.max(0, start); i < Math.min(end, this.length); i++) out.push(this.make(i));
    return out;
  }
  map<T>(f: (v: DebugProtocol.Variable, i: number) => T): T[] {
    return this.slice().map(f);
  }
}

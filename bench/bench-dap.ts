// Benchmark cases over DAP, against the in-process session (the path VS Code's inline adapter
// takes): launch to stopped-on-entry, one step round trip, and the first page of a zone's
// bounce pages in the Variables view.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { BusdmaDebugSession } from '../src/adapter/session';
import { mixedTrace } from './gen';
import { stats, type Row } from './readme';

/** A minimal DAP client over the session's message interface. */
class Client {
  private seq = 1;
  private pending = new Map<number, (r: DebugProtocol.Response) => void>();
  private waiters: { event: string; resolve: (e: DebugProtocol.Event) => void }[] = [];
  readonly session = new BusdmaDebugSession({ cwd: process.cwd() });

  constructor() {
    this.session.onDidSendMessage((m: any) => {
      if (m.type === 'response') {
        const f = this.pending.get(m.request_seq);
        this.pending.delete(m.request_seq);
        f?.(m);
      } else if (m.type === 'event') {
        const i = this.waiters.findIndex((w) => w.event === m.event);
        if (i >= 0) this.waiters.splice(i, 1)[0].resolve(m);
      }
    });
  }

  request(command: string, args: unknown = {}): Promise<DebugProtocol.Response> {
    const seq = this.seq++;
    return new Promise((res, rej) => {
      this.pending.set(seq, (r) => (r.success ? res(r) : rej(new Error(r.message))));
      this.session.handleMessage({ seq, type: 'request', command, arguments: args } as DebugProtocol.Request);
    });
  }

  event(name: string): Promise<DebugProtocol.Event> {
    return new Promise((resolve) => this.waiters.push({ event: name, resolve }));
  }

  async launch(program: string): Promise<void> {
    await this.request('initialize', { adapterID: 'busdma', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    const stopped = this.event('stopped');
    const initialized = this.event('initialized').then(() => this.request('configurationDone'));
    await Promise.all([initialized, this.request('launch', { program, stopOnEntry: true })]);
    await stopped;
  }

  async close(): Promise<void> {
    await this.request('disconnect', {}).catch(() => undefined);
    this.session.dispose();
  }
}

/** A zone of `pages` bounce pages (ALLOCNOW), a map holding some of them. */
function bigZoneTrace(pages: number): string {
  return `kernel d48182
t = bus_dma_tag_create(lowaddr: BUS_SPACE_MAXADDR_32BIT, maxsize: ${pages * 4}K, nsegments: ${pages}, flags: BUS_DMA_ALLOCNOW)
m = bus_dmamap_create(t)
bus_dmamap_load(t, m, 0x1_0000_0000:64K)
expect zone0.total_bpages == ${pages}
`;
}

export async function benchDap({ quick }: { quick: boolean }): Promise<Row[]> {
  const dir = resolve('bench/out');
  mkdirSync(dir, { recursive: true });
  const small = join(dir, 'dap-1000.busdma');
  writeFileSync(small, mixedTrace(1000, 3));
  const zoneFile = join(dir, 'dap-zone.busdma');
  writeFileSync(zoneFile, bigZoneTrace(8192));
  const runs = quick ? 3 : 15;

  const launches: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const c = new Client();
    const t0 = performance.now();
    await c.launch(small);
    const dt = performance.now() - t0;
    if (i > 0) launches.push(dt);
    await c.close();
  }

  const c = new Client();
  await c.launch(small);
  const steps: number[] = [];
  for (let i = 0; i < (quick ? 20 : 200); i++) {
    const stopped = c.event('stopped');
    const t0 = performance.now();
    await c.request('next', { threadId: 1 });
    await stopped;
    steps.push(performance.now() - t0);
  }
  await c.close();

  const z = new Client();
  await z.launch(zoneFile);
  for (let i = 0; i < 3; i++) {
    const stopped = z.event('stopped');
    await z.request('next', { threadId: 1 });
    await stopped;
  }
  const vars: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const sc = (await z.request('scopes', { frameId: 1 })) as DebugProtocol.ScopesResponse;
    const zones = sc.body.scopes.find((s) => s.name === 'Zones')!;
    const zv = (await z.request('variables', { variablesReference: zones.variablesReference })) as DebugProtocol.VariablesResponse;
    const zone0 = zv.body.variables.find((v) => v.name === 'zone0')!;
    const fields = (await z.request('variables', { variablesReference: zone0.variablesReference })) as DebugProtocol.VariablesResponse;
    const pages = fields.body.variables.find((v) => /page/i.test(v.name) && v.variablesReference > 0 && (v.indexedVariables ?? 0) > 0)
      ?? fields.body.variables.find((v) => /page/i.test(v.name) && v.variablesReference > 0)!;
    const first = (await z.request('variables', { variablesReference: pages.variablesReference, filter: 'indexed', start: 0, count: 100 })) as DebugProtocol.VariablesResponse;
    if (!first.body.variables.length) throw new Error('no page children');
    vars.push(performance.now() - t0);
    const stopped = z.event('stopped');
    await z.request('stepBack', { threadId: 1 });
    await stopped;
    const again = z.event('stopped');
    await z.request('next', { threadId: 1 });
    await again;
  }
  await z.close();

  const l = stats(launches);
  const s = stats(steps);
  const v = stats(vars);
  return [
    { case: 'launch to stopped on entry (DAP)', size: 1000, unit: 'ms', ...l, target: '< 100 ms', ok: l.median < 100 },
    { case: 'one step round trip (DAP)', size: 1000, unit: 'ms', ...s, target: 'median < 2 ms', ok: s.median < 2 },
    { case: 'zone with 8,192 pages: first page of children', size: 8192, unit: 'ms', ...v, target: '< 10 ms', ok: v.median < 10 },
  ];
}

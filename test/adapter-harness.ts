// Test harness for the debug adapter: two transports for the same DebugClient API
// (@vscode/debugadapter-testsupport), and golden transcripts.
//
//  - stdio: spawns `node dist/debugAdapter.js`, the standalone program (run the build first).
//  - inline: the session in this process, driven through handleMessage/onDidSendMessage, the
//    path VS Code's DebugAdapterInlineImplementation uses. No process, timeouts stay on.
//
// Golden transcripts render stops, stacks, scopes and variables as text with every handle id
// masked; UPDATE_GOLDEN=1 rewrites them (a missing one is written too). Never edit them by hand.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { BusdmaDebugSession } from '../src/adapter/session';
import { ROOT } from './adapter-root';

export { ROOT };
export const FIXTURES = path.join(ROOT, 'test-fixtures', 'adapter');
export const GOLDEN = path.join(ROOT, 'test-fixtures', 'golden');
export const ADAPTER = path.join(ROOT, 'dist', 'debugAdapter.js');

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

/** DebugClient over the in-process session (the inline path). */
export class InlineClient extends DebugClient {
  session?: BusdmaDebugSession;
  private toAdapter?: PassThrough;
  private fromAdapter?: PassThrough;

  constructor() {
    super('node', ADAPTER, 'busdma');
  }

  async start(): Promise<void> {
    const session = new BusdmaDebugSession({ cwd: ROOT });
    const toAdapter = new PassThrough();
    const fromAdapter = new PassThrough();
    this.session = session;
    this.toAdapter = toAdapter;
    this.fromAdapter = fromAdapter;
    session.onDidSendMessage((m) => {
      const json = JSON.stringify(m);
      fromAdapter.write(`Content-Length: ${Buffer.byteLength(json, 'utf8')}\r\n\r\n${json}`, 'utf8');
    });
    let buf = Buffer.alloc(0);
    toAdapter.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const head = buf.indexOf('\r\n\r\n');
        if (head < 0) return;
        const m = /Content-Length: (\d+)/.exec(buf.subarray(0, head).toString('ascii'));
        const len = Number(m![1]);
        if (buf.length < head + 4 + len) return;
        const body = buf.subarray(head + 4, head + 4 + len).toString('utf8');
        buf = buf.subarray(head + 4 + len);
        session.handleMessage(JSON.parse(body));
      }
    });
    this.connect(fromAdapter, toAdapter);
  }

  async stop(): Promise<void> {
    try {
      await this.disconnectRequest();
    } catch { /* already gone */ }
    this.session?.dispose();
    this.toAdapter?.end();
    this.fromAdapter?.end();
  }
}

export type Transport = 'stdio' | 'inline';
export const TRANSPORTS: Transport[] = ['inline', 'stdio'];

export async function startClient(t: Transport): Promise<DebugClient> {
  if (t === 'stdio' && !fs.existsSync(ADAPTER)) throw new Error(`${ADAPTER} is missing: run node scripts/build.mjs first`);
  const dc = t === 'inline' ? new InlineClient() : new DebugClient('node', ADAPTER, 'busdma', { cwd: ROOT });
  dc.defaultTimeout = 10_000;
  await dc.start();
  return dc;
}

export const INIT: DebugProtocol.InitializeRequestArguments = {
  adapterID: 'busdma', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', supportsProgressReporting: true,
};

export interface LaunchOptions {
  program: string;
  kernel?: string;
  stopOnEntry?: boolean;
  breakpoints?: DebugProtocol.SourceBreakpoint[];
  filters?: string[];
  filterOptions?: DebugProtocol.ExceptionFilterOptions[];
}

/** initialize → launch (→ initialized → breakpoints, filters → configurationDone) → first stop. */
export async function launch(dc: DebugClient, o: LaunchOptions, tr?: Transcript): Promise<DebugProtocol.StoppedEvent> {
  await dc.initializeRequest(INIT);
  const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  const config = dc.waitForEvent('initialized').then(async () => {
    if (o.breakpoints) {
      const r = await dc.setBreakpointsRequest({ source: { path: o.program }, breakpoints: o.breakpoints });
      tr?.log(`breakpoints: ${r.body.breakpoints.map((b) => `${b.verified ? 'verified' : 'unverified'} line ${b.line}${b.message ? ` (${b.message})` : ''}`).join('; ')}`);
    }
    if (o.filters || o.filterOptions) {
      await dc.setExceptionBreakpointsRequest({ filters: o.filters ?? [], filterOptions: o.filterOptions });
    }
    return dc.configurationDoneRequest();
  });
  const args: Record<string, unknown> = { program: o.program, stopOnEntry: o.stopOnEntry ?? true };
  if (o.kernel) args.kernel = o.kernel;
  await Promise.all([config, dc.launchRequest(args as DebugProtocol.LaunchRequestArguments)]);
  return stopped;
}

// ---- transcripts -----------------------------------------------------------------------------------

export class Transcript {
  lines: string[] = [];

  constructor(readonly dc: DebugClient) {}

  log(s: string): void {
    this.lines.push(s);
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }

  /** Wait for the next stop and record it with the stack (and, if asked, scopes and variables). */
  async stopped(action: () => Promise<unknown>, o: { scopes?: string[] | 'all'; depth?: number; page?: number } = {}): Promise<DebugProtocol.StoppedEvent> {
    const p = this.dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await action();
    const ev = await p;
    await this.record(ev, o);
    return ev;
  }

  async record(ev: DebugProtocol.StoppedEvent, o: { scopes?: string[] | 'all'; depth?: number; page?: number } = {}): Promise<void> {
    const b = ev.body;
    this.log(`-- stopped: ${b.reason} (thread ${b.threadId}) "${b.description ?? ''}"${b.text ? ` text="${b.text}"` : ''}${b.hitBreakpointIds ? ` hits=${b.hitBreakpointIds.length}` : ''}`);
    const threads = await this.dc.threadsRequest();
    this.log(`   threads: ${threads.body.threads.map((t) => `${t.id} ${t.name}`).join(', ')}`);
    for (const t of threads.body.threads) {
      const st = await this.dc.stackTraceRequest({ threadId: t.id });
      for (const f of st.body.stackFrames) this.log(`   [${t.id}] ${f.name} @ ${f.source?.name}:${f.line}:${f.column}`);
    }
    if (o.scopes) await this.scopes(o.scopes, o.depth ?? 2, o.page ?? 3);
  }

  async topFrameId(threadId = 1): Promise<number> {
    const st = await this.dc.stackTraceRequest({ threadId });
    return st.body.stackFrames[0].id;
  }

  async scopes(which: string[] | 'all', depth: number, page: number): Promise<void> {
    const frameId = await this.topFrameId();
    const sc = await this.dc.scopesRequest({ frameId });
    this.log(`   scopes: ${sc.body.scopes.map((s) => s.name).join(', ')}`);
    for (const s of sc.body.scopes) {
      if (which !== 'all' && !which.includes(s.name)) continue;
      this.log(`   ${s.name}:`);
      await this.tree(s.variablesReference, '     ', depth, page);
    }
  }

  async tree(ref: number, indent: string, depth: number, page: number, indexed?: number): Promise<void> {
    const args: DebugProtocol.VariablesArguments = { variablesReference: ref };
    if (indexed !== undefined) { args.filter = 'indexed'; args.start = 0; args.count = Math.min(page, indexed); }
    const r = await this.dc.variablesRequest(args);
    for (const v of r.body.variables) {
      const more = v.variablesReference ? (v.indexedVariables ? ` ▸[${v.indexedVariables}]` : ' ▸') : '';
      this.log(`${indent}${v.name} = ${v.value}${more}`);
      if (v.variablesReference && depth > 1) {
        await this.tree(v.variablesReference, indent + '  ', depth - 1, page, v.indexedVariables);
      }
    }
    if (indexed !== undefined && indexed > page) this.log(`${indent}... ${indexed - page} more`);
  }

  /** Variables of one scope as a map name → value (top level only). */
  async scopeValues(scope: string): Promise<Map<string, string>> {
    const frameId = await this.topFrameId();
    const sc = await this.dc.scopesRequest({ frameId });
    const s = sc.body.scopes.find((x) => x.name === scope);
    assert.ok(s, `no scope ${scope}`);
    const r = await this.dc.variablesRequest({ variablesReference: s.variablesReference });
    return new Map(r.body.variables.map((v) => [v.name, v.value]));
  }

  /** Children of `name` in `scope` as name → value. */
  async childValues(scope: string, name: string): Promise<Map<string, string>> {
    const frameId = await this.topFrameId();
    const sc = await this.dc.scopesRequest({ frameId });
    const s = sc.body.scopes.find((x) => x.name === scope)!;
    const r = await this.dc.variablesRequest({ variablesReference: s.variablesReference });
    const v = r.body.variables.find((x) => x.name === name);
    assert.ok(v && v.variablesReference, `no expandable ${name} in ${scope}`);
    const c = await this.dc.variablesRequest({ variablesReference: v.variablesReference });
    return new Map(c.body.variables.map((x) => [x.name, x.value]));
  }
}

/** Compare with test-fixtures/golden/NAME.txt; UPDATE_GOLDEN=1 (or a missing file) writes it. */
export function assertGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN, `${name}.txt`);
  const masked = actual.split(ROOT + path.sep).join('<root>/');
  if (process.env.UPDATE_GOLDEN === '1' || !fs.existsSync(file)) {
    fs.mkdirSync(GOLDEN, { recursive: true });
    fs.writeFileSync(file, masked);
    return;
  }
  const expected = fs.readFileSync(file, 'utf8');
  assert.equal(masked, expected, `golden transcript ${path.relative(ROOT, file)} differs (UPDATE_GOLDEN=1 regenerates it after review)`);
}

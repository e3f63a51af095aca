// The extension host's side of the language service: a worker thread running service.ts (or
// the service in process when the worker cannot start), and the debounced diagnostics runs
// with cancellation of stale ones. No `vscode` import: register.ts adapts documents to it.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { LanguageService, unpackDiagnostics, type DiagnosticsResult, type PackedResult, type ServiceRequest, type ServiceResult } from './service';

export class CancelledError extends Error {
  constructor() { super('cancelled'); }
}

type Pending = { resolve: (r: ServiceResult) => void; reject: (e: unknown) => void };

export class ServiceClient {
  private worker?: Worker;
  private inproc?: LanguageService;
  private pending = new Map<number, Pending>();
  private nextId = 1;
  /** The version of each document the service holds. */
  private held = new Map<string, number>();
  private disposed = false;

  constructor(private readonly workerPath?: string) {
    this.start();
  }

  /** 'worker' or 'in-process'. */
  get mode(): string {
    return this.worker ? 'worker' : 'in-process';
  }

  private start(): void {
    if (this.workerPath && existsSync(this.workerPath)) {
      try {
        const w = new Worker(resolve(this.workerPath));
        w.on('message', (m: { id: number; result?: ServiceResult; error?: string }) => {
          const p = this.pending.get(m.id);
          if (!p) return;
          this.pending.delete(m.id);
          if (this.pending.size === 0) w.unref(); // idle: never keeps the process alive
          if (m.error !== undefined) p.reject(new Error(m.error));
          else p.resolve(m.result);
        });
        w.on('error', () => this.fallBack(w));
        w.on('exit', () => this.fallBack(w));
        w.unref();
        this.worker = w;
        return;
      } catch {
        // fall through to in process
      }
    }
    this.inproc ??= new LanguageService();
  }

  /** The worker died on its own: answer from now on in process. */
  private fallBack(w: Worker): void {
    if (this.worker !== w || this.disposed) return;
    this.worker = undefined;
    this.held.clear();
    this.rejectAll(new Error('busdma: the editor worker stopped'));
    this.inproc ??= new LanguageService();
  }

  private rejectAll(e: unknown): void {
    const ps = [...this.pending.values()];
    this.pending.clear();
    for (const p of ps) p.reject(e);
  }

  request(req: ServiceRequest): Promise<ServiceResult> {
    if (this.disposed) return Promise.reject(new CancelledError());
    if (this.worker) {
      const id = this.nextId++;
      const w = this.worker;
      return new Promise((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        w.ref(); // busy: keep the process alive until the answer
        w.postMessage({ id, req });
      });
    }
    // In process: still asynchronous, so callers behave the same.
    const svc = this.inproc!;
    return new Promise((resolve, reject) => setImmediate(() => {
      try { resolve(svc.handle(req)); } catch (e) { reject(e); }
    }));
  }

  heldVersion(uri: string): number {
    return this.held.get(uri) ?? -1;
  }

  /** Hands the service a document's text, unless it holds that version already. */
  update(uri: string, version: number, text: string, file: string): void {
    if (this.held.get(uri) === version) return;
    this.held.set(uri, version);
    void this.request({ op: 'update', uri, version, text, file }).catch(() => undefined);
  }

  close(uri: string): void {
    this.held.delete(uri);
    void this.request({ op: 'close', uri }).catch(() => undefined);
  }

  /** Stops whatever the worker is doing (a stale parse): every pending request is rejected
   * with CancelledError and a fresh worker starts with no documents. */
  restart(): void {
    if (!this.worker) return;
    const w = this.worker;
    this.worker = undefined;
    this.held.clear();
    this.rejectAll(new CancelledError());
    void w.terminate();
    this.start();
  }

  dispose(): void {
    this.disposed = true;
    this.rejectAll(new CancelledError());
    const w = this.worker;
    this.worker = undefined;
    if (w) void w.terminate();
  }
}

/** What the scheduler needs of a document. */
export interface DocumentLike {
  uri: string;
  version: number;
  file: string;
  getText(): string;
}

export interface SchedulerOptions {
  /** Quiet time after the last edit before a run, in ms. */
  delay?: number;
}

/**
 * Diagnostics as you type: a run starts `delay` ms after the last change of a document; at most
 * one run per document is in flight; a run made stale by a newer version is cancelled (the
 * worker is restarted) and the newest version runs instead. Results of stale versions are
 * dropped, so positions never lag behind the text.
 */
export class DiagnosticsScheduler {
  private timers = new Map<string, ReturnType<typeof setTimeout>>();
  private latest = new Map<string, DocumentLike>();
  private inflight = new Map<string, number>();
  /** The last completed run of each document (for measurements and tests). */
  readonly lastRun = new Map<string, DiagnosticsResult>();

  constructor(
    private readonly client: ServiceClient,
    private readonly publish: (r: DiagnosticsResult) => void,
    private readonly opts: SchedulerOptions = {},
  ) {}

  /** A document opened or changed; `immediate` skips the debounce (on open). */
  schedule(doc: DocumentLike, immediate = false): void {
    this.latest.set(doc.uri, doc);
    const t = this.timers.get(doc.uri);
    if (t) clearTimeout(t);
    this.timers.set(doc.uri, setTimeout(() => {
      this.timers.delete(doc.uri);
      this.run(doc.uri);
    }, immediate ? 0 : this.opts.delay ?? 250));
  }

  close(uri: string): void {
    const t = this.timers.get(uri);
    if (t) clearTimeout(t);
    this.timers.delete(uri);
    this.latest.delete(uri);
    this.inflight.delete(uri);
    this.lastRun.delete(uri);
    this.client.close(uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.latest.clear();
    this.inflight.clear();
  }

  private run(uri: string): void {
    const doc = this.latest.get(uri);
    if (!doc) return;
    const running = this.inflight.get(uri);
    if (running === doc.version) return;
    if (running !== undefined) {
      // A stale parse is still going: stop it, and restart the other documents' runs too.
      const others = [...this.inflight.keys()].filter((u) => u !== uri);
      this.inflight.clear();
      this.client.restart();
      for (const u of others) this.run(u);
    }
    const version = doc.version;
    this.inflight.set(uri, version);
    this.client.update(uri, version, doc.getText(), doc.file);
    this.client.request({ op: 'diagnostics-packed', uri, version }).then((res) => {
      if (this.inflight.get(uri) === version) this.inflight.delete(uri);
      const now = this.latest.get(uri);
      if (!now) return; // closed
      const p = res as PackedResult | null;
      const r: DiagnosticsResult | null = p && { uri: p.uri, version: p.version, ms: p.ms, diagnostics: unpackDiagnostics(p.packed) };
      if (r && now.version === r.version) {
        this.lastRun.set(uri, r);
        this.publish(r);
      } else if (now.version !== version && !this.timers.has(uri)) {
        this.run(uri);
      }
    }, (e: unknown) => {
      if (this.inflight.get(uri) === version) this.inflight.delete(uri);
      if (!(e instanceof CancelledError) && this.latest.has(uri) && !this.timers.has(uri)) {
        // The worker died: run again (in process now).
        setTimeout(() => this.run(uri), 0);
      }
    });
  }
}

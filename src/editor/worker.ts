// The editor's worker thread (bundled as dist/editorWorker.js): the language service off the
// extension host's main thread. Messages: { id, req: ServiceRequest } -> { id, result } or
// { id, error }.

import { parentPort } from 'node:worker_threads';
import { LanguageService, type ServiceRequest } from './service';

const service = new LanguageService();
parentPort?.on('message', (m: { id: number; req: ServiceRequest }) => {
  try {
    parentPort!.postMessage({ id: m.id, result: service.handle(m.req) });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: e instanceof Error ? e.stack ?? e.message : String(e) });
  }
});

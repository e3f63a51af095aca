// The busdma debug adapter as a standalone program: DAP over stdin/stdout (the default), or
// over TCP with --server=PORT (one session per connection; for debugging the adapter itself).
//   node dist/debugAdapter.js
// Any DAP client can run it (docs/debug-adapter.md); VS Code runs the same session in process.

import * as net from 'net';
import { BusdmaDebugSession } from './adapter/session';

const port = process.argv.map((a) => /^--server=(\d+)$/.exec(a)).find((m) => m)?.[1];
if (port) {
  net.createServer((socket) => {
    const session = new BusdmaDebugSession();
    session.setRunAsServer(true);
    session.start(socket, socket);
  }).listen(Number(port), '127.0.0.1', () => process.stderr.write(`busdma debug adapter listening on 127.0.0.1:${port}\n`));
} else {
  const session = new BusdmaDebugSession();
  process.on('SIGTERM', () => session.shutdown());
  session.start(process.stdin, process.stdout);
}

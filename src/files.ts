// Reading a trace from disk, shared by the CLI and the debug adapter (node only).

import * as fs from 'fs';
import { isAscii } from 'buffer';

/** Traces above this size are refused with a clear message rather than risking memory. */
export const MAX_TRACE_BYTES = 128 * 1024 * 1024;

/** `bytes` is the file's buffer when the trace is ASCII: then it is charBytes(text), for the
 * parser, and `text` is made on first read. */
export type ReadResult = { ok: true; text: string; bytes?: Uint8Array } | { ok: false; message: string };

export function readTraceFile(path: string): ReadResult {
  let st: fs.Stats;
  try {
    st = fs.statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, message: code === 'ENOENT' ? 'no such file' : `cannot read the file (${code ?? String(e)})` };
  }
  if (st.isDirectory()) return { ok: false, message: 'is a directory, not a trace file' };
  if (st.size > MAX_TRACE_BYTES) {
    return { ok: false, message: `the trace is ${(st.size / 1048576).toFixed(0)} MB; busdma-trace reads traces up to ${MAX_TRACE_BYTES / 1048576} MB` };
  }
  try {
    const buf = fs.readFileSync(path);
    if (buf.includes(0)) return { ok: false, message: 'is a binary file (it contains NUL bytes), not a .busdma trace' };
    // An ASCII trace (the usual case) is its own UTF-16 units: latin1 decodes it without
    // validation, and only when asked (parseAscii scans the buffer itself).
    if (isAscii(buf)) {
      let text: string | undefined;
      return { ok: true, get text() { return (text ??= buf.toString('latin1')); }, bytes: buf };
    }
    return { ok: true, text: buf.toString('utf8') };
  } catch (e) {
    return { ok: false, message: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
}

// The CLI's `compare` and `plot` commands: the timeline renderer fed by the trace runner.

import type { CliIO } from './cli';
import { runCompare, runPlot, type RecordResult } from './timeline/cliCommands';
import { readTraceFile } from './files';
import { parseRead } from './trace/parser';
import { diagnosticsText } from './trace/report';
import { recordTimeline } from './trace/timeline';
import { isKernelId, KERNEL_IDS } from './core/kernels';

/** Run FILE under a kernel and record its timeline, or say why not (exit status 2). */
export function recordFile(file: string, kernel: string | undefined, opts: { maxSteps?: number }): RecordResult {
  if (kernel !== undefined && !isKernelId(kernel)) {
    return { ok: false, status: 2, message: `busdma-trace: unknown kernel '${kernel}' (known: ${KERNEL_IDS.join(', ')})` };
  }
  const src = readTraceFile(file);
  if (!src.ok) return { ok: false, status: 2, message: `${file}:1:1: error: ${src.message}` };
  const { program, diagnostics } = parseRead(src, file, { keepAtoms: true });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) return { ok: false, status: 2, message: diagnosticsText(file, errors) };
  const { timeline, runner } = recordTimeline(program, kernel, opts.maxSteps);
  const f = runner.st.fatal;
  if (f) return { ok: false, status: 2, message: `${file}:${f.line}:${f.col}: error: ${f.message}` };
  return { ok: true, timeline };
}

export function runCliExtension(cmd: 'compare' | 'plot', args: string[], io: CliIO): number {
  const deps = { record: recordFile };
  return cmd === 'compare' ? runCompare(args, io, deps) : runPlot(args, io, deps);
}

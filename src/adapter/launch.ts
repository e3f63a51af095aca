// Launch arguments of the `busdma` debug type (trace-language.md section 8) and loading a trace
// for a debug session: every problem is reported at once, with file and line.

import * as path from 'path';
import { parse } from '../trace/parser';
import { formatDiagnostic } from '../trace/parser';
import type { Program } from '../trace/ast';
import { isKernelId, KERNEL_IDS, type KernelId } from '../core/kernels';
import { readTraceFile } from '../files';

export interface BusdmaLaunchArguments {
  /** Absolute path of the .busdma trace. */
  program?: unknown;
  /** Kernel revision to model; wins over the trace's own `kernel` line. */
  kernel?: unknown;
  /** Stop before the first statement (default true). */
  stopOnEntry?: unknown;
  /** Stop the run after this many steps (default 10,000,000). */
  maxSteps?: unknown;
  /** Anything else VS Code adds (type, request, name, __sessionId...). */
  [key: string]: unknown;
}

export interface LoadedTrace {
  file: string;
  program: Program;
  kernel?: KernelId;
  stopOnEntry: boolean;
  maxSteps?: number;
  /** Warnings of the parser, shown in the debug console. */
  warnings: string[];
}

export type LoadResult = { ok: true; trace: LoadedTrace } | { ok: false; message: string };

/** Validate launch arguments and read and parse the trace. Never throws. */
export function loadTrace(args: BusdmaLaunchArguments, cwd = process.cwd()): LoadResult {
  const prog = args.program;
  if (typeof prog !== 'string' || prog.trim() === '') {
    return { ok: false, message: "busdma: the launch configuration needs 'program', the path of a .busdma trace" };
  }
  let kernel: KernelId | undefined;
  if (args.kernel !== undefined && args.kernel !== null && args.kernel !== '') {
    if (typeof args.kernel !== 'string' || !isKernelId(args.kernel)) {
      return { ok: false, message: `busdma: unknown kernel '${String(args.kernel)}' (known: ${KERNEL_IDS.join(', ')})` };
    }
    kernel = args.kernel;
  }
  if (args.stopOnEntry !== undefined && typeof args.stopOnEntry !== 'boolean') {
    return { ok: false, message: `busdma: 'stopOnEntry' must be true or false, got ${JSON.stringify(args.stopOnEntry)}` };
  }
  let maxSteps: number | undefined;
  if (args.maxSteps !== undefined) {
    if (typeof args.maxSteps !== 'number' || !Number.isSafeInteger(args.maxSteps) || args.maxSteps < 1) {
      return { ok: false, message: `busdma: 'maxSteps' must be a positive whole number, got ${JSON.stringify(args.maxSteps)}` };
    }
    maxSteps = args.maxSteps;
  }
  const file = path.resolve(cwd, prog);
  const src = readTraceFile(file);
  if (!src.ok) return { ok: false, message: `busdma: cannot debug ${file}: ${src.message}` };
  const { program, diagnostics } = parse(src.text, file);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    const n = errors.length;
    return {
      ok: false,
      message: `busdma: ${path.basename(file)} has ${n} error${n === 1 ? '' : 's'}:\n${errors.map((d) => formatDiagnostic(file, d)).join('\n')}`,
    };
  }
  const warnings = diagnostics.filter((d) => d.severity !== 'error').map((d) => formatDiagnostic(file, d));
  return { ok: true, trace: { file, program, kernel, stopOnEntry: args.stopOnEntry !== false, maxSteps, warnings } };
}

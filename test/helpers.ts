// Shared helpers for the tests: run a trace text under a kernel and get the report.
import { parse } from '../src/trace/parser';
import { TraceRunner } from '../src/trace/runner';
import { buildReport, type RunReport } from '../src/trace/report';
import type { KernelId } from '../src/core/kernels';

export function runText(src: string, kernel?: KernelId, opts: { maxSteps?: number } = {}): { runner: TraceRunner; report: RunReport } {
  const { program, diagnostics } = parse(src, 't.busdma');
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error('parse errors: ' + errors.map((d) => `${d.line}:${d.col}: ${d.message}`).join('; '));
  const runner = new TraceRunner(program, { kernel, fullInvariants: true, maxSteps: opts.maxSteps });
  runner.runToEnd();
  return { runner, report: buildReport(runner) };
}

export function zone(rep: RunReport, name: string) {
  const z = rep.zones.find((x) => x.name === name);
  if (!z) throw new Error(`no ${name} in report: ${rep.zones.map((x) => x.name).join(',')}`);
  return z;
}

export function kinds(rep: RunReport): string[] {
  return rep.events.map((e) => `${e.kind}@${e.line}`);
}

export const KERNELS: KernelId[] = ['legacy', 'd47521', 'd48182', 'r291142'];

// The CLI's `compare` and `plot` commands (called from src/cli.ts through cliExtensions.ts):
//
//   busdma-trace compare FILE --kernels ID,ID[,...] [--json] [--max-steps N]
//       a table of the final counters under each kernel, and the first step where they diverge
//   busdma-trace plot FILE [--kernels ID,...] --out timeline.svg [--width W] [--height H]
//                     [--from STEP] [--to STEP] [--hide-zones Z,...] [--title TEXT] [--max-steps N]
//       the timeline chart as a standalone SVG file (`--out -` writes it on stdout)
//
// Exit status: 0 done, 2 bad usage or input (every problem as FILE:LINE:COL: error: message), as
// for `run`. A divergence is a result, not a failure: `compare` exits 0 when it can compare.
// The recording of a run (trace -> Timeline) is injected (`deps.record`), so that this file only
// parses arguments, calls the renderer and writes output.

import * as fs from 'fs';
import type { Timeline } from './types';
import { finalTable, renderTableText } from './compare';
import { renderSvg } from './svg';

export const KNOWN_KERNELS = ['legacy', 'd47521', 'd48182', 'r291142'] as const;

export interface CommandIO {
  out: (s: string) => void;
  err: (s: string) => void;
}

export type RecordResult =
  | { ok: true; timeline: Timeline }
  /** `message` is printed as is (already `FILE:LINE:COL: error: ...` lines); status 2 for bad input */
  | { ok: false; status: number; message: string };

/** Runs FILE under `kernel` (undefined = the file's own `kernel` line, else the default) and
 * records its timeline. */
export type Recorder = (file: string, kernel: string | undefined, opts: { maxSteps?: number }) => RecordResult;

export interface CommandDeps {
  record?: Recorder;
  writeFile?: (path: string, data: string) => void;
}

const defaultIO: CommandIO = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

let defaultRecorder: Recorder | undefined;
/** Sets the recorder used when `deps.record` is not given (the trace runner registers itself). */
export function setDefaultRecorder(r: Recorder): void {
  defaultRecorder = r;
}

const COMPARE_USAGE = 'usage: busdma-trace compare FILE --kernels ID,ID[,...] [--json] [--max-steps N]';
const PLOT_USAGE = 'usage: busdma-trace plot FILE [--kernels ID,...] --out timeline.svg [--width W] [--height H] [--from STEP] [--to STEP] [--hide-zones Z,...] [--title TEXT] [--max-steps N]';

interface Parsed {
  file?: string;
  values: Map<string, string>;
  flags: Set<string>;
}

/** Parses `FILE --opt value --opt=value --flag`; returns an error message for anything unknown. */
function parseArgs(args: string[], valued: string[], flags: string[]): Parsed | string {
  const p: Parsed = { values: new Map(), flags: new Set() };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (valued.includes(name)) {
        const v = eq >= 0 ? a.slice(eq + 1) : args[++i];
        if (v === undefined || v === '') return `--${name} needs a value`;
        if (p.values.has(name)) return `--${name} given twice`;
        p.values.set(name, v);
      } else if (flags.includes(name) && eq < 0) {
        p.flags.add(name);
      } else {
        return `unknown option '${a}'`;
      }
    } else if (a.startsWith('-') && a !== '-') {
      return `unknown option '${a}'`;
    } else if (p.file === undefined) {
      p.file = a;
    } else {
      return `unexpected argument '${a}'`;
    }
  }
  return p;
}

function kernelList(v: string | undefined): string[] | string | undefined {
  if (v === undefined) return undefined;
  const ks = v.split(',').map((s) => s.trim()).filter(Boolean);
  if (!ks.length) return '--kernels needs at least one kernel';
  for (const k of ks) if (!(KNOWN_KERNELS as readonly string[]).includes(k)) return `unknown kernel '${k}' (known: ${KNOWN_KERNELS.join(', ')})`;
  if (new Set(ks).size !== ks.length) return '--kernels lists a kernel twice';
  return ks;
}

function positiveInt(name: string, v: string | undefined, min = 1): number | string | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v)) || Number(v) < min) return `--${name} needs a whole number >= ${min}, got '${v}'`;
  return Number(v);
}

function usage(io: CommandIO, text: string, msg: string): number {
  io.err(`busdma-trace: ${msg}\n${text}\n`);
  return 2;
}

/** Records every kernel's run, or prints the first failure and returns its exit status. */
function recordAll(io: CommandIO, deps: CommandDeps, file: string, kernels: (string | undefined)[], maxSteps: number | undefined): Timeline[] | number {
  const record = deps.record ?? defaultRecorder;
  if (!record) {
    io.err('busdma-trace: this build cannot record timelines\n');
    return 2;
  }
  const out: Timeline[] = [];
  for (const k of kernels) {
    const r = record(file, k, { maxSteps });
    if (!r.ok) {
      io.err(r.message.endsWith('\n') ? r.message : r.message + '\n');
      return r.status || 2;
    }
    out.push(r.timeline);
  }
  return out;
}

/** `busdma-trace compare FILE --kernels a,b[,...]`. Returns the exit status. */
export function runCompare(args: string[], io: CommandIO = defaultIO, deps: CommandDeps = {}): number {
  const p = parseArgs(args, ['kernels', 'max-steps'], ['json']);
  if (typeof p === 'string') return usage(io, COMPARE_USAGE, p);
  if (!p.file) return usage(io, COMPARE_USAGE, "'compare' needs a trace FILE");
  const ks = kernelList(p.values.get('kernels'));
  if (typeof ks === 'string') return usage(io, COMPARE_USAGE, ks);
  if (!ks || ks.length < 2) return usage(io, COMPARE_USAGE, "'compare' needs --kernels with two or more kernels, e.g. --kernels legacy,d48182");
  const maxSteps = positiveInt('max-steps', p.values.get('max-steps'));
  if (typeof maxSteps === 'string') return usage(io, COMPARE_USAGE, maxSteps);

  const runs = recordAll(io, deps, p.file, ks, maxSteps);
  if (typeof runs === 'number') return runs;
  const table = finalTable(runs);
  if (p.flags.has('json')) {
    io.out(JSON.stringify({
      file: p.file,
      kernels: table.kernels,
      rows: table.rows.map((r) => ({ counter: r.label, values: r.values, differs: r.differs })),
      divergence: table.divergence,
    }, null, 2) + '\n');
  } else {
    io.out(`${p.file}: ${table.kernels.join(' vs ')}\n\n`);
    io.out(renderTableText(table));
  }
  return 0;
}

/** `busdma-trace plot FILE [--kernels ...] --out timeline.svg`. Returns the exit status. */
export function runPlot(args: string[], io: CommandIO = defaultIO, deps: CommandDeps = {}): number {
  const p = parseArgs(args, ['kernels', 'out', 'width', 'height', 'from', 'to', 'hide-zones', 'title', 'max-steps'], []);
  if (typeof p === 'string') return usage(io, PLOT_USAGE, p);
  if (!p.file) return usage(io, PLOT_USAGE, "'plot' needs a trace FILE");
  const out = p.values.get('out');
  if (!out) return usage(io, PLOT_USAGE, "'plot' needs --out FILE.svg (or --out - for stdout)");
  const ks = kernelList(p.values.get('kernels'));
  if (typeof ks === 'string') return usage(io, PLOT_USAGE, ks);
  const nums: Record<string, number | undefined> = {};
  for (const [name, min, def] of [['width', 200, 1000], ['height', 150, 440], ['from', 1, undefined], ['to', 1, undefined], ['max-steps', 1, undefined]] as const) {
    const v = positiveInt(name, p.values.get(name), min);
    if (typeof v === 'string') return usage(io, PLOT_USAGE, v);
    nums[name] = v ?? def;
  }
  if (nums.width! > 20000 || nums.height! > 20000) return usage(io, PLOT_USAGE, '--width and --height are at most 20000');
  if (nums.from !== undefined && nums.to !== undefined && nums.to < nums.from) return usage(io, PLOT_USAGE, `--to (${nums.to}) is before --from (${nums.from})`);
  const hidden = p.values.get('hide-zones')?.split(',').map((s) => s.trim()).filter(Boolean);

  const runs = recordAll(io, deps, p.file, ks ?? [undefined], nums['max-steps']);
  if (typeof runs === 'number') return runs;
  const svg = renderSvg(runs, {
    width: nums.width!, height: nums.height!, fromStep: nums.from, toStep: nums.to,
    zonesHidden: hidden, title: p.values.get('title'),
  });
  if (out === '-') {
    io.out(svg);
    return 0;
  }
  try {
    (deps.writeFile ?? ((f, d) => fs.writeFileSync(f, d)))(out, svg);
  } catch (e) {
    io.err(`busdma-trace: cannot write ${out}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
    return 2;
  }
  const steps = Math.max(0, ...runs.map((t) => t.steps));
  io.out(`${out}: ${runs.map((t) => t.kernel).join(' vs ')}, ${steps} steps\n`);
  return 0;
}

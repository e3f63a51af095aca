// busdma-trace: run a .busdma trace against the simulated FreeBSD bounce code, for people and CI.
// Exit status (trace-language.md section 7): 0 clean, 1 a leak/misuse/unreachable/stall/panic/
// failed expect, 2 bad input or usage.

import { parseRead } from './trace/parser';
import { TraceRunner, DEFAULT_MAX_STEPS } from './trace/runner';
import { buildReport, diagnosticsText, textReport } from './trace/report';
import { isKernelId, KERNEL_IDS, type KernelId } from './core/kernels';
import { readTraceFile } from './files';
import { runCliExtension } from './cliExtensions';

const USAGE = `usage:
  busdma-trace run FILE [--kernel ID] [--json] [--max-steps N]
  busdma-trace check FILE
  busdma-trace compare FILE --kernels ID,ID[,...]
  busdma-trace plot FILE [--kernels ID,...] --out timeline.svg

kernels: ${KERNEL_IDS.join(', ')}`;

export interface CliIO {
  out: (s: string) => void;
  err: (s: string) => void;
}

function usage(io: CliIO, msg: string): number {
  io.err(`busdma-trace: ${msg}\n${USAGE}\n`);
  return 2;
}

export function main(argv: string[], io: CliIO): number {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    io.out(USAGE + '\n');
    return cmd ? 0 : 2;
  }
  if (cmd === '--version') {
    io.out('busdma-trace 0.1.0\n');
    return 0;
  }
  if (cmd === 'compare' || cmd === 'plot') return runCliExtension(cmd, rest, io);
  if (cmd !== 'run' && cmd !== 'check') return usage(io, `unknown command '${cmd}'`);

  let file: string | undefined;
  let kernel: KernelId | undefined;
  let json = false;
  let maxSteps = DEFAULT_MAX_STEPS;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (cmd === 'run' && a === '--json') json = true;
    else if (cmd === 'run' && (a === '--kernel' || a.startsWith('--kernel='))) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : rest[++i];
      if (!v) return usage(io, '--kernel needs a value');
      if (!isKernelId(v)) return usage(io, `unknown kernel '${v}' (known: ${KERNEL_IDS.join(', ')})`);
      kernel = v;
    } else if (cmd === 'run' && (a === '--max-steps' || a.startsWith('--max-steps='))) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : rest[++i];
      if (!v || !/^\d+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) return usage(io, `--max-steps needs a positive whole number, got '${v ?? ''}'`);
      maxSteps = Number(v);
    } else if (a.startsWith('-')) {
      return usage(io, `unknown option '${a}' for '${cmd}'`);
    } else if (file === undefined) {
      file = a;
    } else {
      return usage(io, `unexpected argument '${a}'`);
    }
  }
  if (!file) return usage(io, `'${cmd}' needs a trace FILE`);

  const src = readTraceFile(file);
  if (!src.ok) {
    io.err(`${file}:1:1: error: ${src.message}\n`);
    return 2;
  }
  const keepAtoms = cmd !== 'check';
  const { program, diagnostics } = parseRead(src, file, { keepAtoms });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (cmd === 'check') {
    io.err(diagnosticsText(file, diagnostics));
    if (!errors.length) io.out(`${file}: ok (${program.lines.size} statements)\n`);
    return errors.length ? 2 : 0;
  }
  if (errors.length) {
    io.err(diagnosticsText(file, errors));
    return 2;
  }
  const runner = new TraceRunner(program, { kernel, maxSteps });
  runner.runToEnd();
  const rep = buildReport(runner);
  if (json) {
    io.out(JSON.stringify(rep, null, 2) + '\n');
  } else {
    for (const o of rep.output) io.out(o + '\n');
    if (rep.output.length) io.out('\n');
    io.out(textReport(rep));
  }
  if (rep.error) io.err(`${file}:${rep.error.line}:${rep.error.column}: error: ${rep.error.message}\n`);
  return rep.exit;
}

if (require.main === module) {
  const code = main(process.argv.slice(2), {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
  });
  process.exitCode = code;
}

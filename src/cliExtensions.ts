// The CLI's `compare` and `plot` commands, implemented with the timeline renderer.
// Kept apart from cli.ts so that `run` and `check` load nothing they do not need.

import type { CliIO } from './cli';

export function runCliExtension(cmd: 'compare' | 'plot', _args: string[], io: CliIO): number {
  io.err(`busdma-trace: '${cmd}' is not available in this build\n`);
  return 2;
}

// Security: no way from a trace or the debug console into JavaScript, the file system, a
// process or the network; the manifest declares workspace trust and virtual workspaces as the
// extension and the adapter really behave (docs/security.md).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { INIT, ROOT, fixture, launch, startClient } from './adapter-harness';

const ESCAPES = [
  'constructor', '__proto__', 'this', 'process', "require('fs')", 'require("fs")', 'globalThis', 'eval', 'Function',
  'toString', 'valueOf', 'hasOwnProperty', 'prototype', 'process.exit', 'process.env', 'zone0.constructor', 'zone0.__proto__',
  'zone0.constructor.constructor', 't.constructor', 'x.__proto__.polluted', 'constructor.constructor("return process")()',
  "import('fs')", '`${1}`', '[].constructor', '"".constructor', '{}', '() => 1', 'new Function', 'a = 1', 'errno = 1',
  '1000000000000000000000000000000', '10 ** 30', '1e30', '0x1_0000_0000_0000_0000', '18446744073709551616',
  '('.repeat(10_000) + '1' + ')'.repeat(10_000), '-'.repeat(10_000) + '1', '!'.repeat(100_000) + '0',
  '1' + ' + 1'.repeat(100_000), 'zone0' + '.total_bpages'.repeat(1000),
];

test('escape attempts through the debug console, watch and hover are clean errors (inline)', async () => {
  const dc = await startClient('inline');
  try {
    await launch(dc, { program: fixture('loop.busdma'), stopOnEntry: true });
    for (const context of ['repl', 'watch', 'hover'] as const) {
      for (const expression of ESCAPES) {
        let message = '';
        try {
          const r = await dc.evaluateRequest({ expression, context });
          assert.fail(`${expression.slice(0, 60)} [${context}] evaluated to ${r.body.result}`);
        } catch (e) {
          message = (e as Error).message;
        }
        const what = `${expression.slice(0, 60)} [${context}]`;
        assert.ok(message.startsWith('busdma:') || /unknown name|expected|unexpected|does not fit|malformed|nested too deeply|too long|has no field|not a|was never created|fields|no field|does not exist/.test(message), `${what}: ${message}`);
        assert.doesNotMatch(message, /\n\s+at |TypeError|ReferenceError|RangeError|\[object |function |native code/, `${what}: ${message}`);
      }
    }
    assert.equal(({} as any).polluted, undefined);
    assert.equal(process.exitCode ?? 0, 0);
  } finally {
    await dc.stop();
  }
  // A logpoint and conditions with the same attempts: rendered as errors, nothing runs.
  const dc2 = await startClient('inline');
  const out: string[] = [];
  dc2.on('output', (e: DebugProtocol.OutputEvent) => out.push(e.body.output));
  try {
    await launch(dc2, {
      program: fixture('loop.busdma'), stopOnEntry: false,
      breakpoints: [{ line: 5, logMessage: "a {process} b {require('fs')} c {constructor} d {1e30}" }, { line: 8, condition: 'process.exit(1)' }, { line: 10, condition: 'constructor' }],
    });
    const log = out.find((o) => o.startsWith('a '));
    assert.ok(log, `the logpoint printed: ${out.join('|')}`);
    assert.match(log!, /^a \{process: unknown name 'process'\} b \{.*\} c \{constructor: unknown name 'constructor'\} d \{.*malformed.*\}/);
    const st = await dc2.stackTraceRequest({ threadId: 1 });
    assert.ok([8, 10].includes(st.body.stackFrames[0].line), 'stopped on a breakpoint whose condition failed, as an error');
  } finally {
    await dc2.stop();
  }
});

test('escape attempts inside a trace are clean errors (CLI exit 2 with FILE:LINE:COL, no stack)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'busdma-sec-'));
  try {
    const cases = ['expect constructor == 1', 'print __proto__', 'print this', 'print process', "print require('fs')", 'expect 1000000000000000000000000000000 == 1',
      'print ' + '('.repeat(500) + '1' + ')'.repeat(500), 't = bus_dma_tag_create()\nprint t.constructor', 'log "$(touch /tmp/pwned)"\nsysctl hw.busdma.__proto__'];
    for (const [i, text] of cases.entries()) {
      const f = path.join(dir, `esc${i}.busdma`);
      fs.writeFileSync(f, text + '\n');
      const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'run', f], { encoding: 'utf8' });
      assert.ok(r.status === 2 || r.status === 0, `${text}: exit ${r.status}: ${r.stderr}`);
      if (r.status === 2) assert.match(r.stderr, new RegExp(`^${f.replace(/[.\\/]/g, '\\$&')}:\\d+:\\d+: error: `), text);
      assert.doesNotMatch(r.stderr, /\n\s+at |TypeError|ReferenceError|RangeError/, `${text}: ${r.stderr}`);
    }
    assert.ok(!fs.existsSync('/tmp/pwned'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the simulator and the trace language import nothing that reaches files, processes or the network', () => {
  const forbidden = /from ['"](?:node:)?(fs|fs\/promises|net|http|https|http2|dgram|dns|tls|child_process|worker_threads|vm|module|process|os|inspector)['"]|require\(|(?<![.\w])eval\((?!\w+: )|new Function|process\./; // (a method named eval(e: Expr) is fine)
  for (const d of ['src/core', 'src/trace']) {
    for (const f of fs.readdirSync(path.join(ROOT, d)).filter((x) => x.endsWith('.ts'))) {
      const text = fs.readFileSync(path.join(ROOT, d, f), 'utf8').split('\n').filter((l) => !/^\s*(\/\/|\*)/.test(l)).join('\n');
      assert.doesNotMatch(text, forbidden, `${d}/${f}`);
    }
  }
});

test('package.json declares workspace trust and virtual workspaces as the extension behaves, and docs/security.md says so', async () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const caps = pkg.capabilities;
  assert.ok(caps, 'capabilities is declared');
  assert.equal(caps.untrustedWorkspaces?.supported, true, 'untrusted workspaces: supported (nothing runs workspace content)');
  assert.equal(caps.virtualWorkspaces?.supported, false, 'virtual workspaces: not supported (traces are read with fs)');
  assert.ok(typeof caps.virtualWorkspaces.description === 'string' && caps.virtualWorkspaces.description.length > 10, 'the limitation is described');
  // Nothing to launch: the debugger runs in process, and no setting names an executable.
  assert.ok(!pkg.contributes.debuggers[0].program && !pkg.contributes.debuggers[0].runtime);
  assert.ok(!JSON.stringify(pkg.contributes.configuration ?? {}).match(/path|executable|command/i), 'no setting names an executable');
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'security.md'), 'utf8');
  assert.match(doc, /untrustedWorkspaces\.supported: true/);
  assert.match(doc, /virtualWorkspaces\.supported: false/);
  // As the adapter behaves: a trace in a virtual file system cannot be launched, clearly.
  const dc = await startClient('inline');
  try {
    await dc.initializeRequest(INIT);
    await assert.rejects(dc.launchRequest({ program: 'vscode-vfs://github/freebsd/src/trace.busdma' } as DebugProtocol.LaunchRequestArguments), /cannot debug .*: no such file/);
  } finally {
    await dc.stop();
  }
});

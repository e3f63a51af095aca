// The VSIX: built with @vscode/vsce exactly as `npm run package` does, then its file list is
// read from the zip's central directory. Anything missing or extra fails the test.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ROOT } from './adapter-root';

const REQUIRED = [
  '[Content_Types].xml',
  'extension.vsixmanifest',
  'extension/package.json',
  'extension/LICENSE.txt',
  'extension/language-configuration.json',
  'extension/syntaxes/busdma.tmLanguage.json',
  'extension/snippets/busdma.json',
  'extension/dist/extension.js',
  'extension/dist/debugAdapter.js',
  'extension/dist/cli.js',
  'extension/dist/editorWorker.js',
  'extension/docs/debug-adapter.md',
];
/** Allowed when the repository has them. */
const OPTIONAL = ['extension/readme.md', 'extension/changelog.md'];

/** Names in a zip file, from its central directory. */
export function zipEntries(buf: Buffer): string[] {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  assert.ok(eocd >= 0, 'not a zip file');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50, 'bad central directory');
    const n = buf.readUInt16LE(p + 28);
    const m = buf.readUInt16LE(p + 30);
    const k = buf.readUInt16LE(p + 32);
    names.push(buf.toString('utf8', p + 46, p + 46 + n));
    p += 46 + n + m + k;
  }
  return names;
}

test('the VSIX holds exactly the bundled extension', { timeout: 120_000 }, () => {
  for (const f of ['dist/extension.js', 'dist/debugAdapter.js', 'dist/cli.js', 'dist/editorWorker.js']) {
    assert.ok(fs.existsSync(path.join(ROOT, f)), `${f} is missing: run node scripts/build.mjs first`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'busdma-vsix-'));
  const out = path.join(dir, 'busdma-trace.vsix');
  try {
    const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
    execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', out], { cwd: ROOT, stdio: 'pipe' });
    const names = zipEntries(fs.readFileSync(out)).filter((n) => !n.endsWith('/'));
    const missing = REQUIRED.filter((f) => !names.includes(f));
    const extra = names.filter((n) => !REQUIRED.includes(n) && !OPTIONAL.includes(n.toLowerCase()));
    assert.deepEqual(missing, [], `missing from the VSIX: ${missing.join(', ')}`);
    assert.deepEqual(extra, [], `unexpected in the VSIX: ${extra.join(', ')}`);
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.equal(manifest.main, './dist/extension.js');
    assert.match(manifest.engines.vscode, /^\^1\.(9\d|100)\./, 'engines.vscode stays within ^1.90 .. ^1.100');
    assert.ok(!manifest.contributes.debuggers[0].program, 'the debugger runs in process: no program/runtime');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

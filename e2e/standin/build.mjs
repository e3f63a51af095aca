// Builds the e2e stand-in extension into .e2e-cache/standin/ and packages it as a
// VSIX. Used only when the real extension cannot be packaged yet (E2E_STANDIN=1).
// Prints the path of the VSIX on its last line.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const out = path.join(root, '.e2e-cache', 'standin');
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(path.join(out, 'syntaxes'), { recursive: true });
fs.copyFileSync(path.join(here, 'package.json'), path.join(out, 'package.json'));
// The project's own grammar once it exists, so that scenario 5 checks the real one.
const grammar = fs.existsSync(path.join(root, 'syntaxes', 'busdma.tmLanguage.json'))
  ? path.join(root, 'syntaxes', 'busdma.tmLanguage.json') : path.join(here, 'syntaxes', 'busdma.tmLanguage.json');
fs.copyFileSync(grammar, path.join(out, 'syntaxes', 'busdma.tmLanguage.json'));
fs.copyFileSync(path.join(root, 'LICENSE'), path.join(out, 'LICENSE'));
fs.writeFileSync(path.join(out, '.vscodeignore'), 'src/**\nnode_modules/**\n*.vsix\n');
await build({
  // E2E_STANDIN=adapter: wrap the project's real adapter session (src/adapter/session.ts).
  entryPoints: [path.join(here, 'src', process.env.E2E_STANDIN === 'adapter' ? 'hybrid.js' : 'extension.js')],
  bundle: true, platform: 'node', format: 'cjs', external: ['vscode'],
  outfile: path.join(out, 'dist', 'extension.js'), logLevel: 'warning',
  nodePaths: [path.join(root, 'node_modules')],
});
const vsix = path.join(out, 'busdma-trace-standin.vsix');
execFileSync(process.execPath, [path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '-o', vsix],
  { cwd: out, stdio: ['ignore', 'ignore', 'inherit'] });
console.log(vsix);

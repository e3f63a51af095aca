// Regenerates the README's timeline picture from a fixture: the PR 278569 churn loop under
// legacy and d48182, drawn by the CLI's own renderer (`busdma-trace plot`), then turned into a
// PNG by headless Chromium when it is installed. Run: node scripts/pictures.mjs
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

mkdirSync('docs/images', { recursive: true });
const svg = 'docs/images/pr278569-legacy-vs-d48182.svg';
execFileSync(process.execPath, ['dist/cli.js', 'plot', 'test-fixtures/pr278569-churn.busdma', '--kernels', 'legacy,d48182',
  '--width', '1100', '--height', '560', '--out', svg], { stdio: 'inherit' });
const chromium = '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.log(`${chromium} not found: kept ${svg} only`);
} else {
  const png = resolve('docs/images/pr278569-legacy-vs-d48182.png');
  const r = spawnSync(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run', '--hide-scrollbars', `--screenshot=${png}`, '--window-size=1100,560',
    'file://' + resolve(svg)], { stdio: 'ignore', timeout: 60000 });
  console.log(r.status === 0 ? `wrote ${png}` : `chromium failed (${r.status}); kept ${svg}`);
}

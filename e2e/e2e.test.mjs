// End to end in a real VS Code (code-server 4.100.3 = VS Code 1.100.3) driven by
// playwright-core and Debian's Chromium: install the VSIX, hunt a leak, see it in
// the Variables view. Run with `npm run test:e2e` (after e2e/ci-setup.sh).
//
// Environment:
//   E2E_VSIX=path     use this VSIX instead of running `npm run package`
//   E2E_STANDIN=1     build and use the stand-in extension from e2e/standin/
//   E2E_STANDIN=adapter  the stand-in wrapped around the real adapter session (src/adapter)
//                     (harness development only; screenshots then go to .e2e-cache/)
//   E2E_KEEP=1        keep the run dir (code-server logs, workspace) after the run
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, CACHE, installCodeServer, makeRunDir, removeNow, startCodeServer } from './lib/code-server.mjs';
import * as wb from './lib/workbench.mjs';

const STANDIN = ['1', 'adapter'].includes(process.env.E2E_STANDIN);
const SHOTS = STANDIN ? path.join(CACHE, 'screenshots') : path.join(ROOT, 'docs', 'images');
const LASTSHOTS = path.join(CACHE, 'last-run'); // the page after each scenario, for diagnosis
const CHURN = 'pr278569-churn.busdma';
const SYNTAX = 'syntax-error.busdma';
const LAUNCH_NAME = 'Hunt the leak (legacy kernel)';

const timings = [];
const t0 = Date.now();
function mark(what, since) { timings.push(`${what}: ${((Date.now() - since) / 1000).toFixed(1)} s`); }

function resolveVsix() {
  if (process.env.E2E_VSIX) return path.resolve(process.env.E2E_VSIX);
  if (STANDIN) {
    const out = execFileSync(process.execPath, [path.join(ROOT, 'e2e', 'standin', 'build.mjs')], { encoding: 'utf8' });
    return out.trim().split('\n').pop();
  }
  const { version, name } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const vsix = path.join(ROOT, `${name}-${version}.vsix`);
  fs.rmSync(vsix, { force: true });
  const r = spawnSync('npm', ['run', 'package'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`npm run package failed (exit ${r.status})`);
  if (!fs.existsSync(vsix)) throw new Error(`npm run package did not produce ${path.basename(vsix)} in the repo root`);
  return vsix;
}

/** The workspace: a temp copy of test-fixtures/ plus the e2e fixtures (a stand-in churn trace if needed). */
function makeWorkspace(runDir) {
  const ws = path.join(runDir, 'ws');
  fs.mkdirSync(ws, { recursive: true });
  const tf = path.join(ROOT, 'test-fixtures');
  if (fs.existsSync(tf)) fs.cpSync(tf, ws, { recursive: true });
  const ef = path.join(ROOT, 'e2e', 'fixtures');
  if (!fs.existsSync(path.join(ws, CHURN))) fs.copyFileSync(path.join(ef, 'leak-churn.busdma'), path.join(ws, CHURN));
  fs.copyFileSync(path.join(ef, SYNTAX), path.join(ws, SYNTAX));
  fs.rmSync(path.join(ws, '.vscode'), { recursive: true, force: true });
  return ws;
}

/** The leak events the CLI reports on the legacy kernel, in order (null when there is no CLI). */
function cliLeaks(file) {
  const cli = path.join(ROOT, 'dist', 'cli.js');
  if (process.env.E2E_STANDIN === '1' || !fs.existsSync(cli)) return null; // the toy stand-in simulates nothing real
  const r = spawnSync(process.execPath, [cli, 'run', file, '--kernel', 'legacy', '--json'], { encoding: 'utf8' });
  try {
    return (JSON.parse(r.stdout).events || []).filter((e) => e.kind === 'leak');
  } catch { return null; }
}

let runDir, ws, cs, browser, page;
let leak = null; // what scenario 2 saw, for scenario 3

describe('busdma-trace in VS Code (code-server 4.100.3, Chromium)', { timeout: 280_000 }, () => {
  before(async () => {
    let t = Date.now();
    installCodeServer();
    mark('code-server install (skipped if cached)', t);
    t = Date.now();
    const vsix = resolveVsix();
    mark(`package ${path.basename(vsix)}`, t);
    runDir = makeRunDir();
    ws = makeWorkspace(runDir);
    t = Date.now();
    cs = await startCodeServer({ runDir, vsix, workspace: ws });
    mark('install VSIX + start code-server', t);
    t = Date.now();
    browser = await wb.launchBrowser();
    page = browser.page;
    await wb.openWorkbench(page, cs.url, CHURN);
    mark('Chromium + workbench ready', t);
  });

  after(async () => {
    await browser?.close();
    await cs?.stop();
    if (runDir) removeNow(runDir);
    if (runDir && process.env.E2E_KEEP === '1') console.log(`# kept run dir ${runDir}`);
    mark('total', t0);
    for (const l of timings) console.log(`# ${l}`);
  });

  afterEach(async (t) => {
    // The page as each scenario left it (pass or fail), to diagnose failures.
    if (page && process.env.E2E_LASTSHOTS !== '0') {
      const name = t.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
      await wb.screenshot(page, path.join(LASTSHOTS, `${name}.png`)).catch(() => {});
    }
  });

  it('1. F5 on the churn trace (no launch.json) stops on entry; Variables shows Zones', { timeout: 60_000 }, async () => {
    const t = Date.now();
    await wb.openFile(page, CHURN);
    await wb.pressF5(page);
    const stop = await wb.waitForStop(page);
    assert.match(stop.reason, /entry/i, `stopped for "${stop.paused}", expected entry`);
    assert.match(stop.frame.file || '', new RegExp(wb.escapeRe(CHURN)));
    const zones = await wb.waitForScope(page, 'Zones');
    assert.ok(await zones.isVisible());
    const scopes = await wb.scopeNames(page);
    for (const s of ['Zones', 'Tags', 'Maps', 'Bounce pages', 'hw.busdma', 'Last call']) {
      assert.ok(scopes.includes(s), `scope ${s} missing; Variables shows ${JSON.stringify(scopes)}`);
    }
    await wb.stopDebugging(page);
    mark('scenario 1', t);
  });

  it('2. with the leak filter on, continue stops on the leaks: exception widget at the line, zone0.total_bpages over its cap', { timeout: 120_000 }, async () => {
    const t = Date.now();
    fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(ws, '.vscode', 'launch.json'), JSON.stringify({
      version: '0.2.0',
      configurations: [{ type: 'busdma', request: 'launch', name: LAUNCH_NAME, program: '${file}', kernel: 'legacy', stopOnEntry: true }],
    }, null, 2));
    await wb.openFile(page, CHURN);
    await wb.installExceptionCounter(page);
    await wb.startConfig(page, LAUNCH_NAME);
    const entry = await wb.waitForStop(page);
    assert.match(entry.reason, /entry/i);
    // On the legacy kernel the churn trace first orphans zone0 at every tag destroy, and
    // only from lifetime 32 on does a map create push it over its cap: continue through
    // the leak stops until the over-cap one, checking each against the CLI's events.
    const expected = cliLeaks(path.join(ws, CHURN)); // null without a CLI (stand-in)
    const src = fs.readFileSync(path.join(ws, CHURN), 'utf8').split('\n');
    const overCap = (text) => /over (its |the )?cap|maxpages/i.test(text);
    let stop, widget, shown, n = 0;
    for (;;) {
      ({ stop, widget } = await wb.continueToException(page));
      shown = `${widget.label} ${widget.description}`;
      assert.match(shown, /leak|orphan|cap/i, `stop ${n}: exception widget ${JSON.stringify(widget)}`);
      assert.equal(widget.line, stop.frame.line, `stop ${n}: widget under line ${widget.line}, top frame at line ${stop.frame.line}`);
      if (expected) {
        assert.ok(n < expected.length, `stop ${n} at line ${stop.frame.line}: the CLI reports only ${expected.length} leaks`);
        assert.equal(stop.frame.line, expected[n].line, `leak stop ${n}: the CLI reports it at line ${expected[n].line} (${expected[n].message})`);
      }
      if (overCap(shown)) break;
      n++;
      assert.ok(n < 80, 'no over-cap leak after 80 leak stops');
    }
    console.log(`# over-cap leak after ${n} other leak stops, at line ${stop.frame.line}: ${shown}`);
    if (expected) assert.ok(overCap(expected[n].message) || expected[n].cause === 'over_cap', `the CLI's leak ${n} is ${JSON.stringify(expected[n])}`);
    assert.match(src[stop.frame.line - 1], /bus_dmamap_create/, `over-cap leak line ${stop.frame.line}: ${src[stop.frame.line - 1]}`);

    await wb.expandScope(page, 'Zones');
    await wb.expand(wb.variableRow(page, 'zone0'));
    const total = Number(await wb.variableValue(page, 'total_bpages'));
    assert.ok(Number.isInteger(total), `total_bpages = ${total}`);
    // The cap: a maxpages field if the adapter shows one, else the number the leak message names.
    const rows = await wb.readVariables(page);
    const capRow = rows.find((r) => /^(maxpages|max_bpages|cap), value /.test(r.label));
    const capMsg = /maxpages\D{0,4}(\d+)/i.exec(shown);
    const cap = capRow ? Number(capRow.label.replace(/^.*, value /, '')) : capMsg ? Number(capMsg[1]) : null;
    assert.ok(cap !== null, `neither a maxpages field nor the leak message names the cap: ${shown}`);
    assert.ok(total > cap, `total_bpages ${total} is not over the cap ${cap}`);
    leak = { line: stop.frame.line, total, cap, widget };
    await wb.screenshot(page, path.join(SHOTS, 'e2e-leak-exception.png'));
    mark('scenario 2', t);
  });

  it('3. step back: zone0.total_bpages returns to its value before the leak', { timeout: 60_000 }, async () => {
    assert.ok(leak, 'scenario 2 did not stop on the leak');
    const t = Date.now();
    await wb.toolbarAction(page, 'Step Back');
    // The exception stop is replaced by a step stop.
    await page.locator('.exception-widget').waitFor({ state: 'hidden', timeout: 15_000 });
    const stop = await wb.waitForStop(page, { reason: /step|back/i });
    assert.ok(stop.frame.line <= leak.line, `after step back at line ${stop.frame.line}, leak was at ${leak.line}`);
    if (!await wb.variableRow(page, 'total_bpages').isVisible()) {
      await wb.expandScope(page, 'Zones');
      await wb.expand(wb.variableRow(page, 'zone0'));
    }
    const before = Number(await wb.waitForValue(page, 'total_bpages', (v) => Number(v) !== leak.total));
    console.log(`# step back: ${stop.paused} at line ${stop.frame.line}; zone0.total_bpages ${leak.total} -> ${before} (cap ${leak.cap})`);
    assert.ok(before < leak.total, `total_bpages after step back ${before}, at the leak ${leak.total}`);
    if (leak.cap !== null) assert.ok(before <= leak.cap, `total_bpages ${before} before the leak is over the cap ${leak.cap}`);
    await wb.screenshot(page, path.join(SHOTS, 'e2e-step-back.png'));
    await wb.stopDebugging(page);
    mark('scenario 3', t);
  });

  it('4. a syntax error shows in Problems with its line; starting the trace shows a readable error', { timeout: 60_000 }, async () => {
    const t = Date.now();
    await wb.stopDebugging(page);
    await wb.openFile(page, SYNTAX);
    // Both halves run even if the first fails, so that a failure names everything that is wrong.
    const failures = [];
    try {
      const problems = await wb.readProblems(page, { waitFor: /line 4\b|\[Ln 4\b/ }).catch((e) => {
        throw new Error(`${e.message}${/: \[\]$/.test(e.message) ? ' (the Problems view is empty: no diagnostics were published for the trace)' : ''}`);
      });
      const hit = problems.find((r) => /line 4\b|\[Ln 4\b/i.test(`${r.label} ${r.text}`));
      assert.ok(hit, `no problem on line 4 in ${JSON.stringify(problems)}`);
      assert.match(`${hit.label} ${hit.text}`, /error|syntax|expected|unexpected|missing/i);
      console.log(`# problem: ${JSON.stringify(hit)}`);
    } catch (e) { failures.push(`Problems view: ${e.message}`); }
    try {
      await wb.focusEditor(page);
      await page.keyboard.press('F5');
      const msg = await wb.waitForMessage(page, /syntax|error|expected|unexpected|line 4|:4:/i);
      console.log(`# launch error: ${JSON.stringify(msg)}`);
      assert.match(msg.hit, /4/, `the error does not name line 4: ${msg.hit}`);
      assert.doesNotMatch(msg.hit, /TypeError|ReferenceError|Cannot read propert|undefined is not|\bat [\w.]+ \(/, `looks like a crash: ${msg.hit}`);
      await wb.dismissMessages(page);
      // No session is left half-started.
      await wb.toolbar(page).waitFor({ state: 'hidden', timeout: 10_000 });
    } catch (e) { failures.push(`starting the trace: ${e.message}`); }
    assert.deepEqual(failures, []);
    mark('scenario 4', t);
  });

  it('5. the grammar colours a call, a flag and a number with the expected TextMate scopes', { timeout: 60_000 }, async () => {
    const t = Date.now();
    await wb.stopDebugging(page);
    await wb.openFile(page, CHURN);
    const lines = fs.readFileSync(path.join(ws, CHURN), 'utf8').split('\n');
    // Tokens inside calls (header lines such as `machine maxmem=16G` have their own rules).
    const find = (re) => {
      for (let i = 0; i < lines.length; i++) {
        const code = lines[i].replace(/#.*$/, '');
        if (!/\bbus_?dma\w*\s*\(/.test(code)) continue;
        const m = re.exec(code);
        if (m) return { line: i + 1, column: m.index + (m[1] ? m[0].indexOf(m[1]) : 0) + 1, text: m[1] || m[0] };
      }
      throw new Error(`no token ${re} in a call of ${CHURN}`);
    };
    const cases = [
      { what: 'call', at: find(/\b(bus_dmamap_create)\s*\(/), scope: /^entity\.name\.function(\.|$)/ },
      { what: 'flag', at: find(/\b(BUS_DMA_NOWAIT|BUS_DMA_WAITOK|BUS_DMA_ALLOCNOW|BUS_DMASYNC_PREWRITE|BUS_DMA_[A-Z_]+)\b/), scope: /^constant\.language(\.|$)/ },
      { what: 'number', at: find(/[(,:\s](0x[0-9a-fA-F_]+|\d[\d_]*[KMGT]|\d{2,})\b/), scope: /^constant\.numeric(\.|$)/ },
    ];
    const seen = [];
    for (const c of cases) {
      const got = await wb.inspectTokenScopes(page, c.at.line, c.at.column + 1);
      seen.push({ ...c.at, ...got });
      assert.ok(got.scopes.includes('source.busdma'), `${c.what} ${c.at.text}: scopes ${JSON.stringify(got.scopes)}`);
      assert.ok(got.scopes.some((s) => c.scope.test(s)), `${c.what} ${c.at.text} at ${c.at.line}:${c.at.column}: scopes ${JSON.stringify(got.scopes)}, want ${c.scope}`);
    }
    await wb.closeTokenInspector(page);
    console.log(`# tokens: ${JSON.stringify(seen)}`);
    mark('scenario 5', t);
  });
});

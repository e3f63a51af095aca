// Starts and stops code-server 4.100.3 for the e2e test: a fresh user-data dir,
// extensions dir, XDG dirs and TMPDIR per run, bound to 127.0.0.1 with no auth.
// code-server runs in its own session/process group (spawn detached = setsid), and
// stop() kills the whole group: its extension hosts and file watchers are orphaned
// otherwise (they outlive the parent for a reconnection grace period).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
export const CACHE = process.env.E2E_CACHE || path.join(ROOT, '.e2e-cache');
export const CS_BIN = path.join(CACHE, 'cs100', 'node_modules', '.bin', 'code-server');

const live = new Set();
const tempDirs = new Set();
function killGroup(pid, signal = 'SIGKILL') {
  try { process.kill(-pid, signal); } catch { /* already gone */ }
}
/** Removes `dir` when the process exits, whatever the reason (unless E2E_KEEP=1). */
export function removeOnExit(dir) { tempDirs.add(dir); return dir; }
export function removeNow(dir) {
  tempDirs.delete(dir);
  if (process.env.E2E_KEEP !== '1') fs.rmSync(dir, { recursive: true, force: true });
}
function cleanupSync() {
  for (const pid of live) killGroup(pid);
  live.clear();
  if (process.env.E2E_KEEP === '1') return;
  for (const d of tempDirs) { try { fs.rmSync(d, { recursive: true, force: true }); } catch { /* best effort */ } }
}
// Last line of defence: whatever happens to the test process, take the groups and dirs with it.
process.on('exit', cleanupSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => { cleanupSync(); process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 })[sig]); });
}

export function installCodeServer() {
  const r = spawnSync('bash', [path.join(ROOT, 'e2e', 'install-code-server.sh')], { stdio: 'inherit', env: { ...process.env, E2E_CACHE: CACHE } });
  if (r.status !== 0) throw new Error(`install-code-server.sh failed (exit ${r.status})`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

const USER_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'workbench.enableExperiments': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'npm.fetchOnlinePackageInfo': false,
  'git.enabled': false,
  'chat.disableAIFeatures': true,
  'debug.openDebug': 'openOnDebugBreak',
  'debug.internalConsoleOptions': 'neverOpen',
  'debug.showInStatusBar': 'always',
  'files.autoSave': 'off',
  'editor.minimap.enabled': false,
  'window.commandCenter': false,
};

/** Makes a fresh run dir (short path under os.tmpdir(): IPC socket paths must stay < 108 chars). */
export function makeRunDir() {
  return removeOnExit(fs.mkdtempSync(path.join(os.tmpdir(), 'busdma-e2e-')));
}

/**
 * Installs `vsix` into a fresh extensions dir and starts code-server on `workspace`.
 * Returns { url, port, pid, stop(), logFile }.
 */
export async function startCodeServer({ runDir, vsix, workspace }) {
  if (!fs.existsSync(CS_BIN)) throw new Error(`code-server is not installed at ${CS_BIN}`);
  const dirs = Object.fromEntries(['ud', 'exts', 'tmp', 'xdg/config', 'xdg/data', 'xdg/cache'].map((d) => {
    const p = path.join(runDir, d); fs.mkdirSync(p, { recursive: true }); return [d, p];
  }));
  fs.mkdirSync(path.join(dirs.ud, 'User'), { recursive: true });
  fs.writeFileSync(path.join(dirs.ud, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  const port = await freePort();
  const config = path.join(runDir, 'config.yaml');
  fs.writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: dirs['xdg/config'], XDG_DATA_HOME: dirs['xdg/data'], XDG_CACHE_HOME: dirs['xdg/cache'],
    TMPDIR: dirs.tmp,
  };
  delete env.VSCODE_IPC_HOOK_CLI; // never talk to an outer VS Code
  const common = ['--config', config, '--user-data-dir', dirs.ud, '--extensions-dir', dirs.exts];
  const inst = spawnSync(CS_BIN, [...common, '--install-extension', vsix], { env, encoding: 'utf8', timeout: 60_000 });
  if (inst.status !== 0 || !/successfully installed/i.test(inst.stdout + inst.stderr)) {
    throw new Error(`code-server --install-extension ${vsix} failed (exit ${inst.status}):\n${inst.stdout}\n${inst.stderr}`);
  }
  const logFile = path.join(runDir, 'code-server.log');
  const log = fs.openSync(logFile, 'a');
  const child = spawn(CS_BIN, [...common,
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    workspace], { env, detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const pid = child.pid;
  live.add(pid);
  let exited = null;
  child.on('exit', (code, sig) => { exited = { code, sig }; });
  const stop = async () => {
    if (!live.has(pid)) return;
    killGroup(pid, 'SIGTERM');
    const t0 = Date.now();
    while (Date.now() - t0 < 3000) {
      try { process.kill(-pid, 0); } catch { break; }
      await new Promise((r) => setTimeout(r, 100));
    }
    killGroup(pid, 'SIGKILL');
    live.delete(pid);
  };
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
  const t0 = Date.now();
  for (;;) {
    if (exited) { await stop(); throw new Error(`code-server exited early (${JSON.stringify(exited)}); see ${logFile}:\n${fs.readFileSync(logFile, 'utf8').slice(-3000)}`); }
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() - t0 > 30_000) { await stop(); throw new Error(`code-server did not answer /healthz within 30 s; see ${logFile}`); }
    await new Promise((r) => setTimeout(r, 150));
  }
  return { url, port, pid, stop, logFile, extensionsDir: dirs.exts };
}

// Playwright helpers that drive the VS Code workbench (code-server 4.100.3 /
// VS Code 1.100) and read what it shows through aria labels and text.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { removeOnExit, removeNow } from './code-server.mjs';

export const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Launches Debian's Chromium (never a downloaded browser) with a throwaway profile. */
export async function launchBrowser() {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: run e2e/ci-setup.sh`);
  const profile = removeOnExit(fs.mkdtempSync(path.join(os.tmpdir(), 'busdma-e2e-chrome-')));
  const tmp = path.join(profile, 'tmp'); // Chromium's own /tmp/org.chromium.* files go here
  fs.mkdirSync(tmp);
  let ctx;
  try {
    ctx = await chromium.launchPersistentContext(path.join(profile, 'profile'), {
      executablePath: CHROMIUM, headless: true, viewport: { width: 1400, height: 900 },
      env: { ...process.env, TMPDIR: tmp },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    });
  } catch (e) {
    removeNow(profile);
    throw e;
  }
  const page = ctx.pages()[0] || await ctx.newPage();
  const close = async () => {
    try { await ctx.close(); } catch { /* already gone */ }
    removeNow(profile);
  };
  return { ctx, page, close };
}

/** Opens the workbench and waits until the remote extension host has listed the workspace. */
export async function openWorkbench(page, url, firstFile) {
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await page.waitForSelector(`.explorer-folders-view .monaco-list-row[aria-label*="${firstFile}"]`, { timeout: 60_000 });
}

/** Runs a command through the command palette (fills the input instead of typing, which races). */
export async function runCommand(page, title) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+Shift+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  await pickFocused(page, title);
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/**
 * Accepts the quick-input row that matches `text` once it is the focused one: pressing Enter
 * as soon as some row matches races with the filtering (history rows match too).
 */
async function pickFocused(page, text) {
  const focused = page.locator('.quick-input-list .monaco-list-row.focused');
  await focused.filter({ hasText: text }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/** Opens a workspace file with Quick Open and waits for its tab and text. */
export async function openFile(page, name) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(name);
  await pickFocused(page, name);
  await page.locator(`.tab.active[aria-label*="${name}"]`).waitFor();
  await activeEditor(page).locator('.view-lines .view-line').first().waitFor();
}

export function activeEditor(page) {
  return page.locator('.editor-group-container.active .monaco-editor').first();
}

/** Focuses the active editor by clicking into its visible text area (top left, past the gutter). */
export async function focusEditor(page) {
  const guard = activeEditor(page).locator('.overflow-guard').first();
  const box = await guard.boundingBox();
  if (!box) throw new Error('no active editor to focus');
  await page.mouse.click(box.x + Math.min(250, box.width / 2), box.y + 8);
}

/** Moves the cursor with Go to Line (`:line:col`). */
export async function gotoLine(page, line, column = 1) {
  await page.keyboard.press('Escape');
  await focusEditor(page);
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

export async function closeAllEditors(page) {
  await page.keyboard.press('Escape');
  await runCommand(page, 'View: Close All Editors');
}

// ---------------------------------------------------------------- debugging

export const toolbar = (page) => page.locator('.debug-toolbar');

/** F5 with the editor focused (works without a launch.json through the extension's provider). */
export async function pressF5(page) {
  await focusEditor(page);
  await page.keyboard.press('F5');
}

/**
 * Starts a named launch configuration through the `debug ` quick-access picker. Retries while
 * VS Code has not read a just-written launch.json yet (the picker then lacks the entry).
 */
export async function startConfig(page, name, timeout = 20_000) {
  const t0 = Date.now();
  for (;;) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`debug ${name}`);
    try {
      await page.locator('.quick-input-list .monaco-list-row.focused').filter({ hasText: name }).first().waitFor({ timeout: 2_000 });
      await page.keyboard.press('Enter');
      return;
    } catch (e) {
      if (Date.now() - t0 > timeout) throw new Error(`launch configuration "${name}" never showed in the debug picker: ${e.message}`);
    }
  }
}

/** Clicks a debug toolbar action by its aria label prefix ("Continue", "Step Back", "Stop", ...). */
export async function toolbarAction(page, label) {
  const btn = toolbar(page).locator(`.action-label[aria-label^="${label}"]`).first();
  await btn.waitFor({ timeout: 15_000 });
  await btn.click();
}

/** Stops every debug session (clicking Stop until the toolbar is gone). */
export async function stopDebugging(page) {
  await page.keyboard.press('Escape');
  for (let i = 0; i < 5 && await toolbar(page).isVisible(); i++) {
    const stop = toolbar(page).locator('.action-label[aria-label^="Stop"], .action-label[aria-label^="Disconnect"]').first();
    if (await stop.isVisible()) await stop.click({ timeout: 5_000 }).catch(() => page.keyboard.press('Shift+F5'));
    else await page.keyboard.press('Shift+F5');
    await toolbar(page).waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
  }
  await toolbar(page).waitFor({ state: 'hidden', timeout: 5_000 });
}

/** Reveals the Run and Debug view if it is not showing (1.100 reveals it on stop by itself). */
export async function revealDebugView(page) {
  const vars = page.locator('.pane-body.debug-variables');
  try { await vars.waitFor({ state: 'visible', timeout: 5_000 }); return; } catch { /* not revealed by itself */ }
  await page.keyboard.press('Control+Shift+D');
  await vars.waitFor({ state: 'visible', timeout: 10_000 });
}

/**
 * Waits until the debugger is paused: the Call Stack shows a stop state ("Paused on ...") and a
 * top stack frame. Returns { reason, frame: { name, line, file } } read from the aria labels.
 */
export async function waitForStop(page, { timeout = 30_000, reason } = {}) {
  await toolbar(page).waitFor({ timeout });
  await revealDebugView(page);
  const cs = page.locator('.pane-body.debug-call-stack');
  const t0 = Date.now();
  let last = '';
  while (Date.now() - t0 < timeout) {
    // The pane header shows the state for a single thread; with several threads each thread row does.
    const state = await page.locator('.call-stack-state-message, .pane-body.debug-call-stack .monaco-list-row .state').allInnerTexts().catch(() => []);
    // "Paused on <reason>", or the adapter's own stop description (e.g. "Stepped back"); "Running" otherwise.
    const paused = state.map((s) => s.trim()).find((s) => s && !/^running$/i.test(s));
    const frames = await cs.locator('.monaco-list-row[aria-label^="Stack Frame "]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    last = JSON.stringify({ state, frames });
    if (paused && frames.length && (!reason || reason.test(paused))) {
      const m = /^Stack Frame (.*), line (\d+), (.*)$/.exec(frames[0]) || [];
      return { reason: paused.replace(/^Paused on /i, ''), paused, frame: { name: m[1], line: Number(m[2]), file: m[3] } };
    }
    await sleep(100);
  }
  throw new Error(`debugger did not stop${reason ? ` (${reason})` : ''} within ${timeout} ms; call stack: ${last}`);
}

/** Waits until the debug session has ended (toolbar gone). */
export async function waitForSessionEnd(page, timeout = 15_000) {
  await toolbar(page).waitFor({ state: 'hidden', timeout });
}

// ---------------------------------------------------------------- variables

const varRows = (page) => page.locator('.pane-body.debug-variables .monaco-list-row[role="treeitem"]');

/** All rendered rows of the Variables view: { label, text, level, expanded }. */
export async function readVariables(page) {
  return varRows(page).evaluateAll((els) => els.map((e) => ({
    label: e.getAttribute('aria-label') || '',
    text: e.innerText.replace(/\s+/g, ' ').trim(),
    level: Number(e.getAttribute('aria-level')),
    expanded: e.getAttribute('aria-expanded'),
  })));
}

/** Scope names currently shown (rows of level 1). */
export async function scopeNames(page) {
  return (await readVariables(page)).filter((r) => r.level === 1).map((r) => r.text);
}

/** Waits for a scope row (level 1) named `name`. */
export async function waitForScope(page, name, timeout = 15_000) {
  const row = varRows(page).filter({ hasText: new RegExp(`^\\s*${escapeRe(name)}\\s*$`) }).first();
  await row.waitFor({ timeout });
  return row;
}

/** A variable row by name (matches the aria label "name, value ..."). */
export function variableRow(page, name) {
  return varRows(page).and(page.locator(`[aria-label^="${name}, value"]`)).first();
}

/**
 * Expands a tree item (scope or variable) by clicking it if it is collapsed. Rows are
 * virtualised and re-rendered, so the locator is re-resolved while waiting.
 */
export async function expand(rowLocator, timeout = 10_000) {
  await rowLocator.waitFor({ timeout });
  const t0 = Date.now();
  while (await rowLocator.getAttribute('aria-expanded') === 'false') {
    if (Date.now() - t0 > timeout) throw new Error(`tree item ${await rowLocator.getAttribute('aria-label')} did not expand`);
    await rowLocator.click();
    const t1 = Date.now();
    while (Date.now() - t1 < 1_500 && await rowLocator.getAttribute('aria-expanded') === 'false') await sleep(100);
  }
}

export async function expandScope(page, name) {
  const row = await waitForScope(page, name);
  await expand(row);
  return row;
}

/** Reads the value of a variable from its aria label ("name, value VALUE"); waits for it to appear. */
export async function variableValue(page, name, timeout = 15_000) {
  const row = variableRow(page, name);
  await row.waitFor({ timeout });
  const label = await row.getAttribute('aria-label');
  return label.slice(`${name}, value `.length);
}

/** Polls a variable until predicate(value) holds; returns the value. */
export async function waitForValue(page, name, predicate, timeout = 15_000) {
  const t0 = Date.now();
  let v;
  while (Date.now() - t0 < timeout) {
    v = await variableValue(page, name, timeout).catch(() => undefined);
    if (v !== undefined && predicate(v)) return v;
    await sleep(100);
  }
  throw new Error(`variable ${name} = ${v} did not satisfy the condition within ${timeout} ms`);
}

// ---------------------------------------------------------------- exception widget

/**
 * Counts exception peek widgets as they are added to the page. Two stops on the same
 * line look the same in the DOM; every stop on an exception shows a new widget.
 */
export async function installExceptionCounter(page) {
  await page.evaluate(() => {
    if (window.__e2eExceptionWidgets !== undefined) return;
    window.__e2eExceptionWidgets = 0;
    new MutationObserver((muts) => {
      for (const m of muts) for (const n of m.addedNodes) {
        if (n.nodeType === 1 && (n.matches('.exception-widget') || n.querySelector('.exception-widget'))) window.__e2eExceptionWidgets++;
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
}
export const exceptionCount = (page) => page.evaluate(() => window.__e2eExceptionWidgets);

/** Clicks Continue and waits for the next stop on an exception (a new exception widget). */
export async function continueToException(page, timeout = 30_000) {
  const before = await exceptionCount(page);
  await toolbarAction(page, 'Continue');
  await page.waitForFunction((n) => window.__e2eExceptionWidgets > n, before, { timeout });
  const stop = await waitForStop(page, { timeout, reason: /exception|leak/i });
  return { stop, widget: await readExceptionWidget(page) };
}

/**
 * Reads the exception peek widget: { label, description, ariaLabel, line } where `line` is
 * the editor line the widget sits under (from the line numbers above it).
 */
export async function readExceptionWidget(page, timeout = 15_000) {
  const w = activeEditor(page).locator('.exception-widget').first();
  await w.waitFor({ timeout });
  return w.evaluate((el) => {
    const editor = el.closest('.monaco-editor');
    const zone = el.closest('.zone-widget') || el;
    const top = zone.getBoundingClientRect().top;
    let line = null, best = -Infinity;
    for (const n of editor.querySelectorAll('.margin-view-overlays .line-numbers')) {
      const r = n.getBoundingClientRect();
      if (r.bottom <= top + 2 && r.bottom > best && n.textContent.trim()) { best = r.bottom; line = Number(n.textContent.trim()); }
    }
    return {
      label: el.querySelector('.title .label')?.textContent || '',
      description: el.querySelector('.description')?.textContent || '',
      ariaLabel: el.getAttribute('aria-label') || '',
      line,
    };
  });
}

// ---------------------------------------------------------------- problems

/** Opens the Problems view and returns its rows' aria labels and texts. */
export async function readProblems(page, { waitFor, timeout = 15_000 } = {}) {
  await page.keyboard.press('Escape');
  const panel = page.locator('.markers-panel');
  if (!await panel.isVisible()) {
    await page.keyboard.press('Control+Shift+M');
    await panel.waitFor({ timeout });
  }
  const rows = panel.locator('.monaco-list-row');
  const t0 = Date.now();
  let out = [];
  while (Date.now() - t0 < timeout) {
    out = await rows.evaluateAll((els) => els.map((e) => ({ label: e.getAttribute('aria-label') || '', text: e.innerText.replace(/\s+/g, ' ').trim() })));
    if (!waitFor || out.some((r) => waitFor.test(r.label) || waitFor.test(r.text))) return out;
    await sleep(150);
  }
  if (waitFor) throw new Error(`Problems view did not show ${waitFor} within ${timeout} ms: ${JSON.stringify(out)}`);
  return out;
}

// ---------------------------------------------------------------- notifications and dialogs

/** Texts of visible notifications toasts and modal dialogs. */
export async function readMessages(page) {
  return page.locator('.notification-toast .notification-list-item-message, .monaco-dialog-box .dialog-message-text, .monaco-dialog-box .dialog-message-detail')
    .evaluateAll((els) => els.map((e) => e.textContent.trim()).filter(Boolean));
}

export async function waitForMessage(page, re, timeout = 15_000) {
  const t0 = Date.now();
  let msgs = [];
  while (Date.now() - t0 < timeout) {
    msgs = await readMessages(page);
    const hit = msgs.find((m) => re.test(m));
    if (hit) return { hit, all: msgs };
    await sleep(150);
  }
  throw new Error(`no notification or dialog matching ${re} within ${timeout} ms; shown: ${JSON.stringify(msgs)}`);
}

export async function dismissMessages(page) {
  const dlg = page.locator('.monaco-dialog-box');
  if (await dlg.isVisible()) {
    const cancel = dlg.locator('.dialog-buttons .monaco-button', { hasText: /^(Cancel|Close|OK)$/ }).first();
    if (await cancel.isVisible()) await cancel.click(); else await page.keyboard.press('Escape');
  }
  await page.keyboard.press('Escape');
  const clear = page.locator('.notification-toast .codicon-notifications-clear');
  for (const b of await clear.all()) await b.click().catch(() => {});
}

// ---------------------------------------------------------------- tokens

/**
 * Scopes of the token at (line, column) via "Developer: Inspect Editor Tokens and Scopes".
 * Returns { token, scopes: [innermost..outermost] }.
 */
export async function inspectTokenScopes(page, line, column) {
  await gotoLine(page, line, column);
  const widget = page.locator('.token-inspect-widget, .tiw-metadata-scopes').first();
  if (!await widget.isVisible()) {
    await runCommand(page, 'Developer: Inspect Editor Tokens and Scopes');
  }
  // The widget follows the cursor; wait until it describes this position.
  await page.locator('.tiw-metadata-scopes').first().waitFor({ timeout: 10_000 });
  await sleep(200);
  return page.evaluate(() => {
    const w = document.querySelector('.token-inspect-widget') || document.querySelector('.tiw-metadata-scopes').closest('[widgetid]') || document.body;
    const token = (w.querySelector('.tiw-token')?.firstChild?.textContent || '').trim();
    const rows = [...w.querySelectorAll('tr')].map((tr) => [tr.querySelector('.tiw-metadata-key')?.textContent, tr.querySelector('.tiw-metadata-value')]);
    const scopesCell = rows.find(([k]) => k === 'textmate scopes')?.[1];
    const scopes = scopesCell ? [...scopesCell.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent.trim()).filter(Boolean) : [];
    return { token, scopes };
  });
}

export async function closeTokenInspector(page) {
  await page.keyboard.press('Escape');
}

export function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }

export async function screenshot(page, file) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file });
}

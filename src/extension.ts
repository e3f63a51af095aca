// The VS Code extension: the busdma debugger (in process), F5 on a .busdma file without a
// launch.json, and the "Run busdma trace" / "Debug busdma trace" commands.

import * as path from 'path';
import * as vscode from 'vscode';
import { BusdmaDebugSession } from './adapter/session';
import { parse } from './trace/parser';
import { TraceRunner } from './trace/runner';
import { buildReport, diagnosticsText, textReport } from './trace/report';
import { isKernelId, KERNEL_IDS } from './core/kernels';
import { registerTimelinePanel } from './editor/timelinePanel';
import { registerLanguageFeatures } from './editor/register';

export const DEBUG_TYPE = 'busdma';
export const RUN_COMMAND = 'busdma.runTrace';
export const DEBUG_COMMAND = 'busdma.debugTrace';

let output: vscode.OutputChannel | undefined;

export function activate(context: vscode.ExtensionContext): void {
  // ---- the debugger ------------------------------------------------------------------------------
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new InlineDebugAdapterFactory()),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new BusdmaConfigurationProvider()),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, {
      provideDebugConfigurations: () => [debugConfiguration(activeTrace()?.fsPath ?? '${file}')],
    }, vscode.DebugConfigurationProviderTriggerKind.Dynamic),
  );

  // ---- commands ----------------------------------------------------------------------------------
  context.subscriptions.push(
    vscode.commands.registerCommand(RUN_COMMAND, (uri?: vscode.Uri) => runTrace(uri)),
    vscode.commands.registerCommand(DEBUG_COMMAND, (uri?: vscode.Uri) => debugTrace(uri)),
  );

  // ---- the timeline panel (src/editor/timelinePanel.ts) --------------------------------------------
  registerTimelinePanel(context);

  // ---- editor language features ------------------------------------------------------------------
  // Hover, completion and other providers for the busdma language are registered here, each from
  // its own module under src/editor/ (e.g. `registerHoverProvider(context)`).
  registerLanguageFeatures(context);
}

export function deactivate(): void {
  output?.dispose();
  output = undefined;
}

/** The session runs inside the extension host: no process to find or spawn. */
class InlineDebugAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    const cwd = session.workspaceFolder?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    return new vscode.DebugAdapterInlineImplementation(new BusdmaDebugSession({ cwd }));
  }
}

export function debugConfiguration(program: string, stopOnEntry = true): vscode.DebugConfiguration {
  return { type: DEBUG_TYPE, request: 'launch', name: 'Debug busdma trace', program, stopOnEntry };
}

function activeTrace(): vscode.Uri | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return doc && (doc.languageId === 'busdma' || doc.fileName.endsWith('.busdma')) && doc.uri.scheme === 'file' ? doc.uri : undefined;
}

/** F5 without a launch.json debugs the .busdma file in the active editor. */
class BusdmaConfigurationProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.ProviderResult<vscode.DebugConfiguration[]> {
    return [debugConfiguration('${file}')];
  }

  resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.ProviderResult<vscode.DebugConfiguration> {
    if (!config.type && !config.request && !config.name) {
      const uri = activeTrace();
      if (uri) config = debugConfiguration(uri.fsPath);
    }
    if (!config.program) {
      void vscode.window.showErrorMessage('busdma: open a .busdma trace (or set "program" in launch.json) to debug it.');
      return undefined; // cancels the launch
    }
    if (config.kernel !== undefined && (typeof config.kernel !== 'string' || !isKernelId(config.kernel))) {
      void vscode.window.showErrorMessage(`busdma: unknown kernel '${String(config.kernel)}' (known: ${KERNEL_IDS.join(', ')})`);
      return undefined;
    }
    return config;
  }
}

function targetUri(uri?: vscode.Uri): vscode.Uri | undefined {
  if (uri instanceof vscode.Uri) return uri;
  const t = activeTrace() ?? vscode.window.activeTextEditor?.document.uri;
  if (!t) void vscode.window.showErrorMessage('busdma: open a .busdma trace first.');
  return t;
}

/** "Run busdma trace": the CLI's report in an output channel, no debugging. */
async function runTrace(uri?: vscode.Uri): Promise<void> {
  const target = targetUri(uri);
  if (!target) return;
  const doc = await vscode.workspace.openTextDocument(target);
  const file = target.scheme === 'file' ? target.fsPath : target.toString();
  output ??= vscode.window.createOutputChannel('busdma-trace');
  const out = output;
  out.clear();
  out.show(true);
  const { program, diagnostics } = parse(doc.getText(), path.basename(file));
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    out.append(diagnosticsText(file, errors));
    out.appendLine('result: ERROR (the trace does not parse)');
    return;
  }
  const runner = new TraceRunner(program);
  runner.runToEnd();
  const rep = buildReport(runner);
  for (const o of rep.output) out.appendLine(o);
  if (rep.output.length) out.appendLine('');
  out.append(textReport(rep));
}

/** "Debug busdma trace": a session on the file, stopped on entry. */
async function debugTrace(uri?: vscode.Uri): Promise<void> {
  const target = targetUri(uri);
  if (!target) return;
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
  if (doc?.isDirty) await doc.save();
  await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(target), debugConfiguration(target.fsPath));
}

// e2e stand-in for the busdma-trace extension: a toy with the same contract
// (debug type, scopes, exception filters, step back, diagnostics, grammar) so
// that the e2e harness can be developed before the real extension exists.
// Its "simulator" is a toy: every map create adds one page to zone0 (cap 4);
// on kernel 'legacy' a create at the cap still adds one page and is a leak.
'use strict';
const vscode = require('vscode');
const path = require('path');
const fs = require('fs');
const { LoggingDebugSession, InitializedEvent, StoppedEvent, TerminatedEvent, Thread, StackFrame, Scope, Source, Handles } = require('@vscode/debugadapter');

const CAP = 4;
const STMT = [
  /^[A-Za-z_]\w*(\[\w+\])?\s*=\s*[A-Za-z_]\w*\(.*\)$/,
  /^[A-Za-z_]\w*\(.*\)$/,
  /^(expect|print|log|sysctl|machine|kernel)\b.*$/,
  /^repeat\b.*\{$/,
  /^\}$/,
];

function parse(text) {
  const stmts = [], errors = [];
  const stack = [{ count: 1, body: [] }];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const opens = (line.match(/\(/g) || []).length, closes = (line.match(/\)/g) || []).length;
    if (opens !== closes || !STMT.some((re) => re.test(line))) {
      errors.push({ line: i + 1, column: raw.search(/\S/) + 1, message: opens !== closes ? 'syntax error: unbalanced parentheses' : 'syntax error: unexpected statement' });
      return;
    }
    const rep = /^repeat\s+(\d+)/.exec(line);
    if (rep) { stack.push({ count: Number(rep[1]), body: [] }); return; }
    if (line === '}') {
      if (stack.length < 2) { errors.push({ line: i + 1, column: 1, message: "syntax error: unmatched '}'" }); return; }
      const blk = stack.pop();
      for (let k = 0; k < blk.count; k++) stack[stack.length - 1].body.push(...blk.body);
      return;
    }
    if (/^(machine|kernel)\b/.test(line)) return;
    stack[stack.length - 1].body.push({ line: i + 1, text: line });
  });
  stmts.push(...stack[0].body);
  return { stmts, errors };
}

class Sim {
  constructor(stmts, kernel) { this.stmts = stmts; this.kernel = kernel; this.pc = 0; this.history = []; this.state = { zone: null, maps: 0, last: null }; }
  snapshot() { return JSON.parse(JSON.stringify({ pc: this.pc, state: this.state })); }
  step() {
    this.history.push(this.snapshot());
    const s = this.stmts[this.pc++];
    const st = this.state;
    let event = null;
    if (/bus_dma_tag_create\(/.test(s.text) && !st.zone) st.zone = { total_bpages: 0, free_bpages: 0, reserved_bpages: 0, active_bpages: 0, total_bounced: 0, map_count: 0 };
    if (/bus_dmamap_create\(/.test(s.text) && st.zone) {
      const z = st.zone;
      if (z.total_bpages < CAP) { z.total_bpages++; z.free_bpages++; }
      else if (this.kernel === 'legacy') {
        z.total_bpages++; z.free_bpages++;
        event = { kind: 'leak', line: s.line, message: `zone0 over its cap: map create added 1 bounce page with total_bpages ${z.total_bpages - 1} >= maxpages ${CAP}` };
      }
      z.map_count++; st.maps++;
    }
    st.last = s.text;
    return event;
  }
  back() { if (!this.history.length) return false; const h = this.history.pop(); this.pc = h.pc; this.state = h.state; return true; }
  done() { return this.pc >= this.stmts.length; }
}

class StandinSession extends LoggingDebugSession {
  constructor() { super(); this.handles = new Handles(); this.filters = ['leak', 'refcount']; this.configured = new Promise((r) => { this.configDone = r; }); this.shownLine = 1; this.lastEvent = null; }
  initializeRequest(response) {
    response.body = {
      supportsConfigurationDoneRequest: true, supportsStepBack: true, supportsExceptionInfoRequest: true,
      exceptionBreakpointFilters: [
        { filter: 'leak', label: 'Leaks', default: true },
        { filter: 'refcount', label: 'Refcount drops', default: true },
      ],
    };
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }
  configurationDoneRequest(response) { this.sendResponse(response); this.configDone(); }
  setExceptionBreakPointsRequest(response, args) { this.filters = args.filters || []; this.sendResponse(response); }
  async launchRequest(response, args) {
    let text;
    try { text = fs.readFileSync(args.program, 'utf8'); } catch (e) { return this.sendErrorResponse(response, { id: 1, format: `cannot read ${args.program}: ${e.message}`, showUser: true }); }
    const { stmts, errors } = parse(text);
    if (errors.length) {
      const e = errors[0];
      return this.sendErrorResponse(response, { id: 2, format: `${path.basename(args.program)}:${e.line}:${e.column}: error: ${e.message}`, showUser: true });
    }
    this.program = args.program;
    this.sim = new Sim(stmts, args.kernel || 'd48182');
    this.sendResponse(response);
    await this.configured;
    this.shownLine = stmts.length ? stmts[0].line : 1;
    if (args.stopOnEntry !== false) this.sendEvent(new StoppedEvent('entry', 1));
    else this.run();
  }
  run() {
    while (!this.sim.done()) {
      const ev = this.sim.step();
      if (ev && this.filters.includes(ev.kind)) {
        this.lastEvent = ev; this.shownLine = ev.line;
        const e = new StoppedEvent('exception', 1);
        e.body.description = 'Paused on leak';
        e.body.text = `Paused on leak: ${ev.message}`;
        this.sendEvent(e);
        return;
      }
    }
    this.sendEvent(new TerminatedEvent());
  }
  continueRequest(response) { this.handles.reset(); this.sendResponse(response); this.run(); }
  nextRequest(response) {
    this.handles.reset(); this.sendResponse(response);
    if (this.sim.done()) return this.sendEvent(new TerminatedEvent());
    this.sim.step();
    this.shownLine = this.sim.done() ? this.shownLine : this.sim.stmts[this.sim.pc].line;
    this.sendEvent(new StoppedEvent('step', 1));
  }
  stepBackRequest(response) {
    this.handles.reset(); this.sendResponse(response);
    this.sim.back();
    this.shownLine = this.sim.stmts[Math.min(this.sim.pc, this.sim.stmts.length - 1)].line;
    this.sendEvent(new StoppedEvent('step', 1));
  }
  exceptionInfoRequest(response) {
    const ev = this.lastEvent || { kind: 'leak', message: '' };
    response.body = { exceptionId: ev.kind, description: ev.message, breakMode: 'always' };
    this.sendResponse(response);
  }
  threadsRequest(response) { response.body = { threads: [new Thread(1, 'busdma')] }; this.sendResponse(response); }
  stackTraceRequest(response) {
    const src = new Source(path.basename(this.program), this.program);
    response.body = { stackFrames: [new StackFrame(1, this.sim.state.last ? this.sim.state.last.replace(/\(.*/, '').replace(/^.*=\s*/, '') : 'trace', src, this.shownLine, 1)], totalFrames: 1 };
    this.sendResponse(response);
  }
  scopesRequest(response) {
    const names = ['Zones', 'Tags', 'Maps', 'Bounce pages', 'hw.busdma', 'Last call'];
    response.body = { scopes: names.map((n) => new Scope(n, this.handles.create({ scope: n }), false)) };
    this.sendResponse(response);
  }
  variablesRequest(response, args) {
    const ref = this.handles.get(args.variablesReference);
    const st = this.sim.state;
    let vars = [];
    if (ref && ref.scope === 'Zones' && st.zone) vars = [{ name: 'zone0', value: `bounce_zone total_bpages=${st.zone.total_bpages}`, variablesReference: this.handles.create({ zone: 0 }) }];
    else if (ref && ref.zone === 0 && st.zone) vars = Object.entries(st.zone).map(([k, v]) => ({ name: k, value: String(v), variablesReference: 0 }));
    else if (ref && ref.scope === 'Last call') vars = [{ name: 'statement', value: st.last || '(none)', variablesReference: 0 }];
    else if (ref && ref.scope === 'Maps') vars = [{ name: 'count', value: String(st.maps), variablesReference: 0 }];
    response.body = { variables: vars };
    this.sendResponse(response);
  }
  disconnectRequest(response) { this.sendResponse(response); }
}

function activateWith(context, makeSession) {
  context.subscriptions.push(vscode.debug.registerDebugAdapterDescriptorFactory('busdma', {
    createDebugAdapterDescriptor: () => new vscode.DebugAdapterInlineImplementation(makeSession()),
  }));
  context.subscriptions.push(vscode.debug.registerDebugConfigurationProvider('busdma', {
    resolveDebugConfiguration(folder, config) {
      if (!config.type && !config.request && !config.name) {
        const ed = vscode.window.activeTextEditor;
        if (ed && ed.document.languageId === 'busdma') Object.assign(config, { type: 'busdma', name: 'Debug busdma trace', request: 'launch', program: '${file}', stopOnEntry: true });
      }
      if (!config.program) { vscode.window.showErrorMessage('No .busdma trace to debug'); return undefined; }
      return config;
    },
  }));
  const diags = vscode.languages.createDiagnosticCollection('busdma');
  context.subscriptions.push(diags);
  const check = (doc) => {
    if (doc.languageId !== 'busdma') return;
    diags.set(doc.uri, parse(doc.getText()).errors.map((e) => {
      const d = new vscode.Diagnostic(new vscode.Range(e.line - 1, e.column - 1, e.line - 1, 1000), e.message, vscode.DiagnosticSeverity.Error);
      d.source = 'busdma';
      return d;
    }));
  };
  vscode.workspace.textDocuments.forEach(check);
  context.subscriptions.push(vscode.workspace.onDidOpenTextDocument(check), vscode.workspace.onDidChangeTextDocument((e) => check(e.document)));
}
const activate = (context) => activateWith(context, () => new StandinSession());
module.exports = { activate, activateWith, deactivate() {} };

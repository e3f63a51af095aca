// The language service behind the editor's providers: documents by URI and the requests the
// providers make, answered with the pure functions of analysis.ts. It runs in a worker thread
// (src/editor/worker.ts) so that parsing a large trace never blocks the extension host, or in
// process when the worker cannot start. No `vscode` import.

import {
  analyze, clearAnalysisCache, completionsOf, definitionOf, diagnosticsOf, hoverOf, referencesOf, symbolsOfAnalysis,
  type Completion, type DocSymbol, type EditorDiagnostic, type Hover, type Location1,
} from './analysis';

export type ServiceRequest =
  | { op: 'update'; uri: string; version: number; text: string; file: string }
  | { op: 'close'; uri: string }
  | { op: 'diagnostics' | 'diagnostics-packed'; uri: string; version: number }
  | { op: 'hover' | 'completion' | 'definition'; uri: string; version: number; line: number; col: number; lineText?: string }
  | { op: 'references'; uri: string; version: number; line: number; col: number; includeDeclaration: boolean }
  | { op: 'symbols'; uri: string; version: number };

export interface DiagnosticsResult {
  uri: string;
  version: number;
  diagnostics: EditorDiagnostic[];
  /** Time spent parsing and linting, in ms. */
  ms: number;
}

/** Diagnostics as numbers and a table of distinct strings: a 100,000-line trace has tens of
 * thousands of diagnostics sharing a few messages, and a structured clone copies every string. */
export interface PackedDiagnostics {
  /** line, col, endCol, severity index, message index, code index (-1: none), per diagnostic */
  nums: Int32Array;
  strings: string[];
}

export interface PackedResult {
  uri: string;
  version: number;
  packed: PackedDiagnostics;
  ms: number;
}

const SEVERITIES: EditorDiagnostic['severity'][] = ['error', 'warning', 'info', 'hint'];

export function packDiagnostics(ds: EditorDiagnostic[]): PackedDiagnostics {
  const nums = new Int32Array(ds.length * 6);
  const strings: string[] = [];
  const index = new Map<string, number>();
  const str = (s: string) => {
    let i = index.get(s);
    if (i === undefined) { i = strings.length; strings.push(s); index.set(s, i); }
    return i;
  };
  // Neighbouring diagnostics mostly share message and code: the previous ones are tried first.
  let msg: string | undefined;
  let msgI = -1;
  let code: string | undefined;
  let codeI = -1;
  ds.forEach((d, i) => {
    const o = i * 6;
    nums[o] = d.line; nums[o + 1] = d.col; nums[o + 2] = d.endCol;
    nums[o + 3] = SEVERITIES.indexOf(d.severity);
    if (d.message !== msg) { msg = d.message; msgI = str(msg); }
    nums[o + 4] = msgI;
    if (d.code !== code) { code = d.code; codeI = code === undefined ? -1 : str(code); }
    nums[o + 5] = codeI;
  });
  return { nums, strings };
}

export function unpackDiagnostics(p: PackedDiagnostics): EditorDiagnostic[] {
  const out: EditorDiagnostic[] = [];
  for (let o = 0; o < p.nums.length; o += 6) {
    const d: EditorDiagnostic = { severity: SEVERITIES[p.nums[o + 3]], message: p.strings[p.nums[o + 4]], line: p.nums[o], col: p.nums[o + 1], endCol: p.nums[o + 2] };
    if (p.nums[o + 5] >= 0) d.code = p.strings[p.nums[o + 5]];
    out.push(d);
  }
  return out;
}

export type ServiceResult = DiagnosticsResult | PackedResult | Hover | Completion[] | Location1[] | DocSymbol[] | null | undefined;

interface Doc {
  version: number;
  text: string;
  file: string;
}

export class LanguageService {
  private docs = new Map<string, Doc>();

  /** The version of a document the service holds (-1 when none). */
  versionOf(uri: string): number {
    return this.docs.get(uri)?.version ?? -1;
  }

  handle(req: ServiceRequest): ServiceResult {
    switch (req.op) {
      case 'update':
        this.docs.set(req.uri, { version: req.version, text: req.text, file: req.file });
        return null;
      case 'close':
        this.docs.delete(req.uri);
        if (this.docs.size === 0) clearAnalysisCache();
        return null;
      case 'diagnostics': {
        const d = this.docs.get(req.uri);
        if (!d || d.version !== req.version) return null; // superseded
        const t0 = performance.now();
        const diagnostics = diagnosticsOf(analyze(d.text, d.file));
        return { uri: req.uri, version: d.version, diagnostics, ms: performance.now() - t0 };
      }
      case 'diagnostics-packed': {
        // The same, packed for a cheap copy to the main thread (see packDiagnostics).
        const d = this.docs.get(req.uri);
        if (!d || d.version !== req.version) return null;
        const t0 = performance.now();
        const packed = packDiagnostics(diagnosticsOf(analyze(d.text, d.file)));
        return { uri: req.uri, version: d.version, packed, ms: performance.now() - t0 };
      }
      default:
        break;
    }
    const d = this.docs.get(req.uri);
    if (!d) return null;
    const a = analyze(d.text, d.file);
    // The held text may be older than the document: then the cursor line's own text is used.
    const exact = d.version === req.version;
    switch (req.op) {
      case 'hover':
        return hoverOf(a, req.line, req.col, exact ? undefined : req.lineText) ?? null;
      case 'completion':
        return completionsOf(a, req.line, req.col, exact ? undefined : req.lineText);
      case 'definition':
        return definitionOf(a, req.line, req.col);
      case 'references':
        return referencesOf(a, req.line, req.col, req.includeDeclaration);
      case 'symbols':
        return symbolsOfAnalysis(a);
    }
  }
}

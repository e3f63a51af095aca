// The trace's own expression language as the debugger uses it: conditions, hit counts,
// logpoints, watch, hover and the debug console. Parsing is the parser's; evaluation is the
// runner's (never JavaScript eval).

import type { Expr } from '../trace/ast';
import { parseExpression } from '../trace/parser';
import { formatValue, truthy, type Value } from '../trace/evaluate';
import type { TraceRunner } from '../trace/runner';

export { truthy };
export type { Value };

/** Fields shown in hex, as the kernel's sysctl and the CLI report show addresses. */
export const HEX_FIELDS = new Set(['lowaddr', 'highaddr', 'boundary', 'maxsize', 'maxsegsz', 'alignment', 'busaddr', 'dataaddr']);

export type Parsed = { ok: true; expr: Expr; text: string } | { ok: false; message: string };

export function compile(text: string): Parsed {
  const r = parseExpression(text);
  if ('error' in r) return { ok: false, message: `${r.error} (column ${r.col} of '${text}')` };
  return { ok: true, expr: r.expr, text };
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A value as the debugger shows it: decimal, hex for address-like fields. */
export function showValue(v: Value, hexish = false): string {
  if (typeof v === 'string') return v;
  return formatValue(v, hexish);
}

export function isHexExpr(e: Expr): boolean {
  return e.kind === 'field' && HEX_FIELDS.has(e.field);
}

// ---- hit conditions --------------------------------------------------------------------------

export type HitTest = (n: number) => boolean;

/**
 * `N` (break on the Nth hit and every one after it), `>= N`, `> N`, `== N`, `= N`, `< N`,
 * `<= N`, `% N` (every Nth hit).
 */
export function compileHitCondition(text: string): { ok: true; test: HitTest } | { ok: false; message: string } {
  const m = /^\s*(>=|<=|==|=|>|<|%)?\s*(\d+)\s*$/.exec(text);
  if (!m) return { ok: false, message: `hit count '${text}' is not understood: use N, >= N, == N, > N, < N or % N` };
  const n = Number(m[2]);
  switch (m[1]) {
    case undefined:
    case '>=': return { ok: true, test: (h) => h >= n };
    case '>': return { ok: true, test: (h) => h > n };
    case '==':
    case '=': return { ok: true, test: (h) => h === n };
    case '<': return { ok: true, test: (h) => h < n };
    case '<=': return { ok: true, test: (h) => h <= n };
    case '%':
      if (n === 0) return { ok: false, message: 'hit count % 0: the modulus must be at least 1' };
      return { ok: true, test: (h) => h % n === 0 };
  }
  return { ok: false, message: `hit count '${text}' is not understood` };
}

// ---- logpoints -------------------------------------------------------------------------------

export type LogPart = string | Parsed;

/** `text {expr} text`: `{{` and `}}` are literal braces. */
export function compileLogMessage(text: string): LogPart[] {
  const parts: LogPart[] = [];
  let lit = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' && text[i + 1] === '{') { lit += '{'; i++; continue; }
    if (c === '}' && text[i + 1] === '}') { lit += '}'; i++; continue; }
    if (c === '{') {
      const end = text.indexOf('}', i + 1);
      if (end < 0) { lit += text.slice(i); break; }
      if (lit) parts.push(lit);
      lit = '';
      parts.push(compile(text.slice(i + 1, end)));
      i = end;
      continue;
    }
    lit += c;
  }
  if (lit) parts.push(lit);
  return parts;
}

export function renderLogMessage(parts: LogPart[], runner: TraceRunner): string {
  return parts.map((p) => {
    if (typeof p === 'string') return p;
    if (!p.ok) return `{${p.message}}`;
    try {
      return showValue(runner.eval(p.expr), isHexExpr(p.expr));
    } catch (e) {
      return `{${p.text}: ${errorMessage(e)}}`;
    }
  }).join('');
}

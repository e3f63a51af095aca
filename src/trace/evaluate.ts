// The expression interpreter shared by `expect`, `print`, conditional breakpoints, logpoints,
// watch, hover and the debug console. A tree walk over the parser's AST: there is no path
// from a trace into JavaScript (no eval, no property lookup by user-supplied name).

import type { Expr, Loc } from './ast';
import { NAMED_CONSTANTS } from '../core/constants';

export type Value = bigint | string;

const M = 0xffff_ffff_ffff_ffffn;

export class EvalError extends Error {
  constructor(message: string, readonly loc?: Loc) {
    super(message);
    this.name = 'EvalError';
  }
}

/** What an expression can read. Implemented by the trace runner (and by event filters). */
export interface Scope {
  /** A plain name: loop variable, errno, zoneN, a handle... undefined if unknown. */
  name(name: string, loc: Loc): Value | undefined;
  /** `object.field`, where object is a zone name, a handle (maybe indexed) or `global`. */
  field(object: Expr, field: string, loc: Loc): Value;
  /** `base[index]` on its own. */
  indexed(base: string, index: bigint, loc: Loc): Value;
}

export function truthy(v: Value): boolean {
  return typeof v === 'string' ? v.length > 0 : v !== 0n;
}

function num(v: Value, loc: Loc, what: string): bigint {
  if (typeof v !== 'bigint') throw new EvalError(`${what} needs a number, got "${v}"`, loc);
  return v;
}

export function evaluate(e: Expr, scope: Scope, depth = 0): Value {
  if (depth > 256) throw new EvalError('expression nested too deeply', e.loc);
  switch (e.kind) {
    case 'num':
      return e.value;
    case 'str':
      return e.value;
    case 'name': {
      const c = NAMED_CONSTANTS[e.name];
      if (c !== undefined && Object.prototype.hasOwnProperty.call(NAMED_CONSTANTS, e.name)) return c;
      const v = scope.name(e.name, e.loc);
      // Only numbers and strings ever come back: nothing of JavaScript leaks through a name.
      if (typeof v !== 'bigint' && typeof v !== 'string') throw new EvalError(`unknown name '${e.name}'`, e.loc);
      return v;
    }
    case 'index': {
      const i = num(evaluate(e.index, scope, depth + 1), e.index.loc, 'an index');
      return scope.indexed(e.base, i, e.loc);
    }
    case 'field':
      return scope.field(e.object, e.field, e.loc);
    case 'unary': {
      const a = evaluate(e.arg, scope, depth + 1);
      if (e.op === '!') return truthy(a) ? 0n : 1n;
      const n = num(a, e.arg.loc, `'${e.op}'`);
      return e.op === '-' ? (-n) & M : ~n & M;
    }
    case 'binary': {
      if (e.op === '&&') {
        return truthy(evaluate(e.left, scope, depth + 1)) && truthy(evaluate(e.right, scope, depth + 1)) ? 1n : 0n;
      }
      if (e.op === '||') {
        return truthy(evaluate(e.left, scope, depth + 1)) || truthy(evaluate(e.right, scope, depth + 1)) ? 1n : 0n;
      }
      const a = evaluate(e.left, scope, depth + 1);
      const b = evaluate(e.right, scope, depth + 1);
      if (e.op === '==' || e.op === '!=') {
        if (typeof a !== typeof b) {
          throw new EvalError(`cannot compare a ${typeof a === 'string' ? 'name' : 'number'} with a ${typeof b === 'string' ? 'name' : 'number'}`, e.loc);
        }
        return (a === b) === (e.op === '==') ? 1n : 0n;
      }
      const x = num(a, e.left.loc, `'${e.op}'`);
      const y = num(b, e.right.loc, `'${e.op}'`);
      switch (e.op) {
        case '<': return x < y ? 1n : 0n;
        case '<=': return x <= y ? 1n : 0n;
        case '>': return x > y ? 1n : 0n;
        case '>=': return x >= y ? 1n : 0n;
        case '+': return (x + y) & M;
        case '-': return (x - y) & M;
        case '*': return (x * y) & M;
        case '/':
          if (y === 0n) throw new EvalError('division by zero', e.right.loc);
          return x / y;
        case '%':
          if (y === 0n) throw new EvalError('division by zero', e.right.loc);
          return x % y;
        case '|': return x | y;
        case '&': return x & y;
        case '^': return x ^ y;
        case '<<': return y >= 64n ? 0n : (x << y) & M;
        case '>>': return y >= 64n ? 0n : x >> y;
      }
      throw new EvalError(`unknown operator '${e.op}'`, e.loc);
    }
  }
}

/** Names an expression reads, for "expect failed" messages (`total_bpages = 9000`). */
export function readsOf(e: Expr, out: Expr[] = []): Expr[] {
  switch (e.kind) {
    case 'name':
      if (NAMED_CONSTANTS[e.name] === undefined) out.push(e);
      break;
    case 'field':
      out.push(e);
      break;
    case 'index':
      out.push(e);
      break;
    case 'unary':
      readsOf(e.arg, out);
      break;
    case 'binary':
      readsOf(e.left, out);
      readsOf(e.right, out);
      break;
    default:
      break;
  }
  return out;
}

export function formatValue(v: Value, hexish = false): string {
  if (typeof v === 'string') return v;
  return hexish ? '0x' + v.toString(16) : v.toString();
}

// FROZEN COPY of src/trace/lexer.ts before the parser speed work: the oracle of test/parser-equivalence.test.ts. Do not edit.
// Tokens of one line of a .busdma trace. The language is line-oriented (one statement per
// line), so the lexer works a line at a time and the parser never looks past a newline.

export type TokKind = 'ident' | 'num' | 'str' | 'punct' | 'bad';

export interface Token {
  kind: TokKind;
  text: string;       // identifier, punctuation, or the raw text of a number
  value?: bigint;     // numbers
  str?: string;       // strings, unescaped
  col: number;        // 1-based
  endCol: number;     // exclusive
  error?: string;     // for 'bad' tokens and malformed numbers/strings
}

const U64_MAX = 0xffff_ffff_ffff_ffffn;
const SUFFIX: Record<string, bigint> = { K: 1n << 10n, M: 1n << 20n, G: 1n << 30n, T: 1n << 40n };

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** Identifiers and numbers seen so far in one file, shared so a long trace stores each once. */
export interface Interner {
  idents: Map<string, string>;
  nums: Map<string, Token>;
}

export function newInterner(): Interner {
  return { idents: new Map(), nums: new Map() };
}

/**
 * Tokenizes one line: `text`, or its range [from, to) when the line is part of a bigger
 * string (the parser lexes the file in place: no substring per line). Columns count from
 * `from`. Stops at a `#` comment.
 */
export function lexLine(text: string, intern?: Interner, from = 0, to = text.length): Token[] {
  const toks: Token[] = [];
  const n = to;
  const off = from - 1;
  let i = from;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13) { i++; continue; }
    if (c === 35 /* # */) break;
    const start = i;
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      let id = text.slice(start, i);
      if (intern) {
        const k = intern.idents.get(id);
        if (k === undefined) intern.idents.set(id, id);
        else id = k;
      }
      toks.push({ kind: 'ident', text: id, value: undefined, str: undefined, col: start - off, endCol: i - off, error: undefined });
      continue;
    }
    if (isDigit(c)) {
      const tok = lexNumber(text, i, n, off);
      if (intern && !tok.error) {
        // Same literal, same bigint: only the position differs.
        const k = intern.nums.get(tok.text);
        if (k === undefined) intern.nums.set(tok.text, tok);
        else tok.value = k.value;
      }
      toks.push(tok);
      i = tok.endCol + off;
      continue;
    }
    if (c === 34 /* " */) {
      let s = '';
      let err: string | undefined;
      i++;
      let closed = false;
      while (i < n) {
        const d = text[i];
        if (d === '"') { closed = true; i++; break; }
        if (d === '\\') {
          const e = text[i + 1];
          if (e === 'n') s += '\n';
          else if (e === 't') s += '\t';
          else if (e === '"' || e === '\\') s += e;
          else err ??= `unknown escape '\\${e ?? ''}' in string`;
          i += 2;
          continue;
        }
        s += d;
        i++;
      }
      if (!closed) err = 'unterminated string';
      toks.push({ kind: 'str', text: text.slice(start, i), value: undefined, str: s, col: start - off, endCol: i - off, error: err });
      continue;
    }
    // Punctuation, by character code: no substring is made for the common one-char case.
    const d = i + 1 < n ? text.charCodeAt(i + 1) : 0;
    let p: string | undefined;
    switch (c) {
      case 40: p = '('; break;
      case 41: p = ')'; break;
      case 91: p = '['; break;
      case 93: p = ']'; break;
      case 123: p = '{'; break;
      case 125: p = '}'; break;
      case 44: p = ','; break;
      case 58: p = ':'; break;
      case 46: p = '.'; break;
      case 43: p = '+'; break;
      case 45: p = '-'; break;
      case 42: p = '*'; break;
      case 47: p = '/'; break;
      case 37: p = '%'; break;
      case 126: p = '~'; break;
      case 94: p = '^'; break;
      case 61: p = d === 61 ? '==' : '='; break;
      case 33: p = d === 61 ? '!=' : '!'; break;
      case 60: p = d === 61 ? '<=' : d === 60 ? '<<' : '<'; break;
      case 62: p = d === 61 ? '>=' : d === 62 ? '>>' : '>'; break;
      case 38: p = d === 38 ? '&&' : '&'; break;
      case 124: p = d === 124 ? '||' : '|'; break;
    }
    if (p !== undefined) {
      toks.push({ kind: 'punct', text: p, value: undefined, str: undefined, col: start - off, endCol: start - off + p.length, error: undefined });
      i += p.length;
      continue;
    }
    // Any other character (including non-ASCII) is one bad token, reported by the parser.
    const cp = text.codePointAt(i)!;
    const w = cp > 0xffff ? 2 : 1;
    toks.push({ kind: 'bad', text: text.slice(i, i + w), value: undefined, str: undefined, col: start - off, endCol: start - off + w, error: `unexpected character '${text.slice(i, i + w)}'` });
    i += w;
  }
  return toks;
}

function lexNumber(text: string, i: number, n: number, off: number): Token {
  const start = i;
  let digits = '';
  let radix = 10;
  let error: string | undefined;
  if (text[i] === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X')) {
    radix = 16;
    i += 2;
    const d0 = i;
    let under = false;
    for (let c = text.charCodeAt(i); i < n && (isHexDigit(c) || c === 95); c = text.charCodeAt(++i)) if (c === 95) under = true;
    digits = under ? text.slice(d0, i).replace(/_/g, '') : text.slice(d0, i);
    if (!digits) error = 'hex number needs at least one digit after 0x';
  } else {
    const d0 = i;
    let under = false;
    for (let c = text.charCodeAt(i); i < n && (isDigit(c) || c === 95); c = text.charCodeAt(++i)) if (c === 95) under = true;
    digits = under ? text.slice(d0, i).replace(/_/g, '') : text.slice(d0, i);
  }
  let mult = 1n;
  if (i < n && SUFFIX[text[i]] !== undefined && !(i + 1 < n && isIdentPart(text.charCodeAt(i + 1)))) {
    mult = SUFFIX[text[i]];
    i++;
  }
  if (i < n && isIdentPart(text.charCodeAt(i))) {
    while (i < n && isIdentPart(text.charCodeAt(i))) i++;
    error ??= `malformed number '${text.slice(start, i)}' (suffixes are K, M, G, T)`;
  }
  let value = 0n;
  if (!error) {
    value = BigInt(radix === 16 ? '0x' + digits : digits) * mult;
    if (value > U64_MAX) error = `number ${text.slice(start, i)} does not fit in 64 bits`;
  }
  return { kind: 'num', text: text.slice(start, i), value, str: undefined, col: start - off, endCol: i - off, error };
}

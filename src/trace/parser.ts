// Parser and static checks of the .busdma language (trace-language.md sections 1, 2, 5).
// Every problem becomes a Diagnostic with an exact line and column; parsing never throws and
// always reports all problems at once.

import {
  BinaryExpr, BufferExpr, BuffersArg, CALL_NAMES as CALL_LIST, CallStmt, LineIndex, FieldExpr, IndexExpr, NameExpr, NumExpr, StrExpr, UnaryExpr,
  type ArgValue, type BinOp, type CallName, type Diagnostic, type Expr, type HandleRef, type Loc,
  type CallAtoms, type NamedArg, type PlainRows, type Program, type RepeatStmt, type Reloader, type Stmt,
} from './ast';
import { lexLine, type Token } from './lexer';
import { NAMED_CONSTANTS } from '../core/constants';
import { KERNEL_IDS, isKernelId } from '../core/kernels';

interface CallSpec {
  positional: Array<'tag' | 'map' | 'buffer' | 'expr'>;
  named: string[];
  returns?: 'tag' | 'map';
}

export const CALLS: Record<CallName, CallSpec> = {
  bus_dma_tag_create: {
    positional: [],
    named: ['parent', 'alignment', 'boundary', 'lowaddr', 'highaddr', 'maxsize', 'nsegments', 'maxsegsz', 'flags'],
    returns: 'tag',
  },
  bus_dma_tag_destroy: { positional: ['tag'], named: [] },
  bus_dmamap_create: { positional: ['tag'], named: ['flags'], returns: 'map' },
  bus_dmamap_destroy: { positional: ['tag', 'map'], named: [] },
  bus_dmamap_load: { positional: ['tag', 'map', 'buffer'], named: ['flags'] },
  bus_dmamap_unload: { positional: ['tag', 'map'], named: [] },
  bus_dmamap_sync: { positional: ['tag', 'map', 'expr'], named: [] },
  busdma_thread: { positional: [], named: [] },
};

/** The canonical strings of the call names, so a statement keeps no slice of its line. */
const CALL_NAMES = new Map<string, CallName>(Object.keys(CALLS).map((k) => [k, k as CallName]));

export const ZONE_FIELDS = [
  'total_bpages', 'free_bpages', 'reserved_bpages', 'active_bpages', 'total_bounced',
  'total_deferred', 'map_count', 'lowaddr', 'alignment', 'refcount', 'tags', 'domain',
  'destroyed',
] as const;
export const TAG_FIELDS = [
  'map_count', 'lowaddr', 'highaddr', 'alignment', 'boundary', 'maxsize', 'nsegments', 'maxsegsz',
  'bounce_zone', 'could_bounce', 'min_alloc_comp', 'flags', 'maxpages',
] as const;
export const MAP_FIELDS = ['pagesneeded', 'pagesreserved', 'bpages', 'state', 'cb_error', 'nsegs'] as const;
export const GLOBAL_FIELDS = ['total_bpages', 'zone_count'] as const;
export const BUILTIN_NAMES = ['errno', 'cb_error', 'leaked_bpages', 'steps', 'global'] as const;

const NO_NAMED: NamedArg[] = [];
/** The evaluator recurses once per operator; this keeps every expression within its depth. */
const MAX_OPERATORS = 200;
// Lookups keyed by token text go through Maps and Sets: a property lookup with a string cut
// from the line costs a string-table internalization every time.
const CONSTANT_NAMES = new Set(Object.keys(NAMED_CONSTANTS));
const BUILTINS = new Set<string>(['errno', 'cb_error', 'leaked_bpages', 'steps', 'global']);
const PREC = new Map<string, number>([
  ['||', 1], ['&&', 2], ['|', 3], ['^', 4], ['&', 5], ['==', 6], ['!=', 6], ['<', 7], ['<=', 7], ['>', 7], ['>=', 7],
  ['<<', 8], ['>>', 8], ['+', 9], ['-', 9], ['*', 10], ['/', 10], ['%', 10],
]);
function isZoneName(n: string): boolean {
  if (n.length < 5 || !n.startsWith('zone')) return false;
  for (let i = 4; i < n.length; i++) {
    const c = n.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
function isReserved(n: string): boolean {
  return KEYWORDS.has(n) || CONSTANT_NAMES.has(n) || BUILTINS.has(n) || isZoneName(n);
}
const NO_VARS: string[] = [];
const DEFER = { defer: true };
const CREATE_LINE = /^[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*(?:\[[^\]]*\])?[ \t]*=[ \t]*(bus_dma_tag_create|bus_dmamap_create)\b/;
const KEYWORDS = new Set(['machine', 'kernel', 'repeat', 'as', 'expect', 'print', 'log', 'sysctl']);
const MAX_DEPTH = 200;


// ---- the fast path of plain call lines ----
//
// Most lines of a long trace are plain calls: `[NAME =] call(ARG, ..., key: ARG)` where every
// argument is one name or number (or PADDR:LEN). scanCall recognizes exactly those lines from
// the character codes, with no Token objects and no substrings, and records where each atom is;
// it gives up (returns false) on anything else or on anything the general path would report,
// and the general path then reads the line as it always did. Both paths give the same tree.

const KEYWORD_LIST = ['machine', 'kernel', 'repeat', 'as', 'expect', 'print', 'log', 'sysctl'];
const CONST_LIST = Object.keys(NAMED_CONSTANTS);
const ID_CALL0 = KEYWORD_LIST.length;
const ID_CONST0 = ID_CALL0 + CALL_LIST.length;
const ID_CONST1 = ID_CONST0 + CONST_LIST.length;
// The named arguments' names follow the ranges above: their strings are then these literals,
// which compare by identity. `parent` is the one that names a handle.
const NAMED_LIST = [...new Set(CALL_LIST.flatMap((c) => CALLS[c].named))];
const SEED_IDS = [...KEYWORD_LIST, ...CALL_LIST, ...CONST_LIST, ...NAMED_LIST];
const ID_PARENT = ID_CONST1 + NAMED_LIST.indexOf('parent');
/** Per call: bit k set when NAMED_LIST[k] is one of its named arguments. */
const CALL_NAMED_MASK = CALL_LIST.map((c) => CALLS[c].named.reduce((m, n) => m | (1 << NAMED_LIST.indexOf(n)), 0));
const CALL_RETURNS = CALL_LIST.map((c) => CALLS[c].returns);
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** Kinds of a positional slot, by call and position: 1 tag, 2 map, 3 buffer, 4 expression. */
const SLOT_KIND = new Map<string, number>([['tag', 1], ['map', 2], ['buffer', 3], ['expr', 4]]);
const CALL_SLOTS: number[][] = CALL_LIST.map((c) => CALLS[c].positional.map((k) => SLOT_KIND.get(k)!));
const SMALL_BIG: bigint[] = [];
function bigOf(v: number): bigint {
  if (v < 65536) return (SMALL_BIG[v] ??= BigInt(v));
  return BigInt(v);
}
/** 1 for the characters of identifiers (and digits), by code below 128. */
const IDENT_PART = new Uint8Array(256);
for (let c = 0; c < 128; c++) IDENT_PART[c] = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 ? 1 : 0;
function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}
function suffixShift(c: number): number {
  return c === 75 ? 1024 : c === 77 ? 1048576 : c === 71 ? 1073741824 : c === 84 ? 1099511627776 : 0;
}

/** Class of each byte in the identifier trie: 1..63 for [A-Za-z0-9_], 0 for the rest. */
const TRIE_CLASS = new Uint8Array(256);
for (let c = 0, k = 1; c < 128; c++) if (IDENT_PART[c]) TRIE_CLASS[c] = k++;
/** The trie stops growing here (256 bytes a node: 8 MB); later identifiers use the hash table. */
const MAX_TRIE_NODES = 1 << 15;

/**
 * Identifiers of one file by content: each is cut from the source once. Lookups walk a trie of
 * the identifiers seen so far, one table load per character and no comparison; an identifier
 * the trie does not hold goes through the hash table (byte compare) and is then added to it.
 */
class Idents {
  /** trie[node * 64 + TRIE_CLASS[c]]: the child node, 0 for none (no edge leads to the root, 0). */
  trie = new Int32Array(64 * 64);
  /** The identifier ending at each node, or -1. */
  term = new Int32Array(64).fill(-1);
  private nodes = 1;
  strs: string[] = [];
  private hashes: number[] = [];
  /** The bytes of every identifier, back to back: ident `id` is pool[at[id], at[id + 1]). */
  private pool = new Uint8Array(4096);
  private at: number[] = [0];
  private table = new Int32Array(4096).fill(-1);
  constructor() {
    for (const s of SEED_IDS) {
      const b = charBytes(s);
      this.addToTrie(b, 0, b.length, this.find(b, 0, b.length, hashOf(b, 0, b.length), s, 0));
    }
  }
  /**
   * The id of the identifier b[s, e), whose hash is h; a new one is cut from `text`, in which
   * it starts at `ts` (from the bytes when there is no text: parseAscii). Compared byte by
   * byte: a call of startsWith cost more than the scan.
   */
  find(b: Uint8Array, s: number, e: number, h: number, text: string | undefined, ts: number): number {
    const table = this.table;
    const mask = table.length - 1;
    const len = e - s;
    let slot = h & mask;
    for (;;) {
      const id = table[slot];
      if (id < 0) break;
      if (this.hashes[id] === h) {
        const at = this.at[id];
        if (this.at[id + 1] - at === len) {
          const pool = this.pool;
          let k = 0;
          while (k < len && pool[at + k] === b[s + k]) k++;
          if (k === len) return id;
        }
      }
      slot = (slot + 1) & mask;
    }
    const id = this.strs.length;
    this.strs.push(text === undefined ? latin1(b, s, e) : ts === 0 && len === text.length ? text : text.slice(ts, ts + len));
    this.hashes.push(h);
    let end = this.at[id];
    if (end + len > this.pool.length) {
      const grown = new Uint8Array(Math.max(this.pool.length * 2, end + len));
      grown.set(this.pool);
      this.pool = grown;
    }
    for (let k = s; k < e; k++) this.pool[end++] = b[k];
    this.at.push(end);
    table[slot] = id;
    if (this.strs.length * 2 > table.length) this.grow();
    return id;
  }
  /** Adds identifier `id`, b[s, e), to the trie while it has room. */
  addToTrie(b: Uint8Array, s: number, e: number, id: number): void {
    let node = 0;
    for (let k = s; k < e; k++) {
      const edge = (node << 6) | TRIE_CLASS[b[k]];
      let next = this.trie[edge];
      if (next === 0) {
        if (this.nodes >= MAX_TRIE_NODES) return;
        next = this.nodes++;
        if (next >= this.term.length) {
          const term = new Int32Array(this.term.length * 2).fill(-1);
          term.set(this.term);
          this.term = term;
          const trie = new Int32Array(term.length * 64);
          trie.set(this.trie);
          this.trie = trie;
        }
        this.trie[edge] = next;
      }
      node = next;
    }
    this.term[node] = id;
  }
  private grow(): void {
    const table = new Int32Array(this.table.length * 2).fill(-1);
    const mask = table.length - 1;
    for (let id = 0; id < this.strs.length; id++) {
      let slot = this.hashes[id] & mask;
      while (table[slot] >= 0) slot = (slot + 1) & mask;
      table[slot] = id;
    }
    this.table = table;
  }
}
function hashOf(b: Uint8Array, s: number, e: number): number {
  let h = 0x811c9dc5 | 0;
  for (let k = s; k < e; k++) h = Math.imul(h ^ b[k], 0x01000193);
  return h;
}

/** Stands for every non-ASCII character in charBytes: the fast path accepts no byte above 127. */
const NON_ASCII = 0x80;
let encoder: TextEncoder | undefined;
/**
 * text[from, to) as one byte per UTF-16 unit, so byte offsets are string offsets: reading a
 * Uint8Array is about twice as fast as charCodeAt. ASCII text is copied by TextEncoder.
 */
export function charBytes(text: string, from = 0, to = text.length, out?: Uint8Array): Uint8Array {
  const n = to - from;
  const b = out && out.length >= n ? out : new Uint8Array(n);
  if (from === 0 && to === text.length && n > 256) {
    const r = (encoder ??= new TextEncoder()).encodeInto(text, b);
    if (r.read === n && r.written === n) return b;
  }
  for (let k = 0; k < n; k++) {
    const c = text.charCodeAt(from + k);
    b[k] = c < 128 ? c : NON_ASCII;
  }
  return b;
}

/** Atom kinds of the fast path. */
const A_IDENT = 1;
const A_NUM = 2;
/** Argument kinds of the fast path. */
const G_POS = 1;
const G_BUF = 2;
const G_NAMED = 3;
const MAX_ATOMS = 64;
const MAX_ARGS = 32;


/** Plain call lines of the top level as rows: line, columns, call, target (Program.top). */
class PlainCalls implements PlainRows {
  private static readonly W = 6;
  /** Per row: line, col, endCol, callCol, target identifier id or -1, call + 8 * checked. */
  private t: Int32Array;
  n = 0;
  /** `lines`: the source's line count, the most rows there can be. */
  constructor(private readonly ids: Idents, private readonly from: Reloader, lines: number) {
    this.t = new Int32Array(PlainCalls.W * (lines + 1));
  }
  add(line: number, col: number, endCol: number, callCol: number, call: number, target: number): number {
    const W = PlainCalls.W;
    if ((this.n + 1) * W > this.t.length) {
      const grown = new Int32Array(this.t.length * 2);
      grown.set(this.t);
      this.t = grown;
    }
    const t = this.t;
    const o = this.n * W;
    t[o] = line;
    t[o + 1] = col;
    t[o + 2] = endCol;
    t[o + 3] = callCol;
    t[o + 4] = target;
    t[o + 5] = call;
    return this.n++;
  }
  /** The next statement is an `expect` of errno: the row's call is checked. */
  check(k: number): void {
    this.t[k * PlainCalls.W + 5] |= 8;
  }
  lineOf(k: number): number {
    return this.t[k * PlainCalls.W];
  }
  callIndex(k: number): number {
    return this.t[k * PlainCalls.W + 5] & 7;
  }
  checked(k: number): boolean {
    return (this.t[k * PlainCalls.W + 5] & 8) !== 0;
  }
  targetId(k: number): number {
    return this.t[k * PlainCalls.W + 4];
  }
  targetName(k: number): string | undefined {
    const id = this.t[k * PlainCalls.W + 4];
    return id >= 0 ? this.ids.strs[id] : undefined;
  }
  atoms(k: number): CallAtoms | undefined {
    return this.from.atoms!(this.t[k * PlainCalls.W]);
  }
  stmt(k: number): CallStmt {
    const t = this.t;
    const o = k * PlainCalls.W;
    const line = t[o];
    const col = t[o + 1];
    const id = t[o + 4];
    let target: HandleRef | undefined;
    if (id >= 0) {
      // The target is the line's first word: `NAME = call(...)`.
      const name = this.ids.strs[id];
      target = { name, loc: { line, col, endCol: col + name.length } };
    }
    const s = new CallStmt(t[o + 5] & 7, t[o + 3], target, this.from, line, col, t[o + 2]);
    if (t[o + 5] & 8) s.checked = true;
    return s;
  }
}

/**
 * CallAtoms read in place from a kept record (layout in FastScan.record): the runner and the
 * lints read a plain call's arguments without copying its atoms anywhere.
 */
class KeptAtoms implements CallAtoms {
  private rec!: Records;
  /** Where the atoms' values start and where the arguments start. */
  private atoms = 0;
  private args = 0;
  private nArgs = 0;
  private line = 0;
  /** `columns` reads a line again for where its atoms are (only an error asks). */
  constructor(private readonly ids: Idents, private readonly columns: (line: number) => FastScan) {}
  /** The record at `at` of `rec`, of line `line`. */
  view(rec: Records, at: number, line: number): this {
    const head = rec.pool[at];
    this.rec = rec;
    this.atoms = at + 1;
    this.args = this.atoms + (head & 0xff);
    this.nArgs = (head >> 8) & 0xff;
    this.line = line;
    return this;
  }
  /** Argument g's (first) atom. */
  private atom(g: number): number {
    return this.rec.pool[this.args + g] >> 2;
  }
  private val(a: number): number {
    return this.rec.pool[this.atoms + a];
  }
  /** The columns from atom a's start to atom b's end. */
  private loc(a: number, b: number): Loc {
    const f = this.columns(this.line);
    return { line: this.line, col: f.s[a] - f.off, endCol: f.e[b] - f.off };
  }
  /** A number's value, or a constant's (the record is plain: no other name is a value). */
  private valueOf(a: number): bigint {
    const v = this.val(a);
    if (keptIsIdent(v)) return CONST_VALUES[(v >> 1) - ID_CONST0];
    return bigOf(keptNumber(v, this.rec.big));
  }
  name(i: number): string {
    return this.ids.strs[this.val(this.atom(i)) >> 1];
  }
  nameId(i: number): number {
    return this.val(this.atom(i)) >> 1;
  }
  value(i: number): bigint {
    return this.valueOf(this.atom(i));
  }
  bufLen(i: number): bigint {
    return this.valueOf(this.atom(i) + 1);
  }
  bufLoc(i: number): Loc {
    const a = this.atom(i);
    return this.loc(a, a + 1);
  }
  namedIndex(k: string): number {
    const pool = this.rec.pool;
    for (let g = 0; g < this.nArgs; g++) {
      const x = pool[this.args + g];
      if ((x & 3) === G_NAMED && this.ids.strs[this.val(x >> 2) >> 1] === k) return g;
    }
    return -1;
  }
  namedValue(j: number): bigint {
    return this.valueOf(this.atom(j) + 1);
  }
  namedName(j: number): string | undefined {
    const v = this.val(this.atom(j) + 1);
    return keptIsIdent(v) ? this.ids.strs[v >> 1] : undefined;
  }
  namedLoc(j: number): Loc {
    const a = this.atom(j) + 1;
    return this.loc(a, a);
  }
}

/** In a kept record's first value: the line's values are all numbers and constants. */
const PLAIN_BIT = 1 << 19;

/** What FastScan.record keeps of released calls' lines, so the runner need not read them again. */
class Records {
  /**
   * 0.17 to 0.22 values a byte for plain lines (a load of 66 bytes keeps 12, an unload of 27
   * keeps 6): a quarter of the source's length, so it rarely grows (a growth copies it all).
   */
  pool: Int32Array;
  constructor(sourceLength: number) {
    this.pool = new Int32Array(Math.max(1 << 12, sourceLength >> 2));
  }
  used = 0;
  /** Numbers of 2^30 and above. */
  big: number[] = [];
  /** The record of each line, by line number: an offset in pool, or -1 (sized by Parser.run). */
  byLine = new Int32Array(0);
  /** Room for n more values; where they go. */
  reserve(n: number): number {
    if (this.used + n > this.pool.length) {
      const grown = new Int32Array(Math.max(this.pool.length * 2, this.used + n));
      grown.set(this.pool);
      this.pool = grown;
    }
    return this.used;
  }
}

const CONST_VALUES: bigint[] = CONST_LIST.map((k) => NAMED_CONSTANTS[k]);

// A kept atom's value (FastScan.record writes it): 2 * identifier id, 2 * n + 1 for a number n
// below 2^30, -(index + 1) into Records.big for a larger one.
function keptIsIdent(v: number): boolean {
  return v >= 0 && (v & 1) === 0;
}
function keptNumber(v: number, big: number[]): number {
  return v >= 0 ? v >> 1 : big[-v - 1];
}

/** Where the atoms and arguments of the line scanCall read last are. */
class FastScan {
  ids = new Idents();
  nAtoms = 0;
  kind = new Int32Array(MAX_ATOMS);
  s = new Int32Array(MAX_ATOMS);
  e = new Int32Array(MAX_ATOMS);
  id = new Int32Array(MAX_ATOMS);
  num = new Float64Array(MAX_ATOMS);
  nArgs = 0;
  gKind = new Int32Array(MAX_ARGS);
  gAtom = new Int32Array(MAX_ARGS);
  /** The target's atom, or -1. */
  tgt = -1;
  call = 0;
  callS = 0;
  start = 0;
  end = 0;
  /** The parser's handle kind of each identifier id, valid where kindAt is its kindsVersion. */
  kindOf = new Int8Array(64);
  kindAt = new Int32Array(64);
  /** The text the bytes being scanned stand for (text offset = byte offset + delta), or
   * undefined when the bytes are all there is (an ASCII file's, see parseAscii). */
  text: string | undefined = '';
  delta = 0;

  /** Reads one name or number at src[i] (the general lexer's rules); its end, or -1. */
  atom(b: Uint8Array, i: number, to: number): number {
    const n = this.nAtoms;
    if (n >= MAX_ATOMS) return -1;
    const s = i;
    let c = b[i];
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) {
      const ids = this.ids;
      const trie = ids.trie;
      let node = 0;
      let k = TRIE_CLASS[c];
      do {
        node = trie[(node << 6) | k];
        i++;
      } while (node !== 0 && i < to && (k = TRIE_CLASS[b[i]]) !== 0);
      let id = node === 0 ? -1 : ids.term[node];
      if (id < 0) {
        // Not in the trie: to the identifier's end, then the hash table.
        i = s;
        let h = 0x811c9dc5 | 0;
        do {
          h = Math.imul(h ^ c, 0x01000193);
          i++;
        } while (i < to && IDENT_PART[c = b[i]] === 1);
        id = ids.find(b, s, i, h, this.text, s + this.delta);
        ids.addToTrie(b, s, i, id);
      }
      this.kind[n] = A_IDENT;
      this.s[n] = s;
      this.e[n] = i;
      this.id[n] = id;
      this.nAtoms = n + 1;
      return i;
    }
    if (c < 48 || c > 57) return -1;
    let v = 0;
    if (c === 48 && i + 1 < to && ((c = b[i + 1]) === 120 || c === 88)) {
      i += 2;
      let digits = 0;
      while (i < to) {
        c = b[i];
        const d = hexVal(c);
        if (d >= 0) {
          v = v * 16 + d;
          digits++;
        } else if (c !== 95) break;
        i++;
      }
      if (digits === 0) return -1;
    } else {
      while (i < to) {
        c = b[i];
        if (c >= 48 && c <= 57) v = v * 10 + (c - 48);
        else if (c !== 95) break;
        i++;
      }
    }
    if (v > MAX_SAFE) return -1;
    if (i < to) {
      const m = suffixShift(b[i]);
      if (m !== 0 && !(i + 1 < to && IDENT_PART[b[i + 1]] === 1)) {
        v *= m;
        i++;
        if (v > MAX_SAFE) return -1;
      }
    }
    if (i < to && IDENT_PART[b[i]] === 1) return -1;
    this.kind[n] = A_NUM;
    this.s[n] = s;
    this.e[n] = i;
    this.num[n] = v;
    this.nAtoms = n + 1;
    return i;
  }

  /**
   * Appends the atoms and arguments of the line read last to `rec`, for KeptAtoms to read
   * without reading the line again: first the counts, the call and PLAIN_BIT (atoms |
   * arguments << 8 | call << 16 | PLAIN_BIT), then per atom its value (see keptIsIdent), per
   * argument kind | atom << 2. No columns: only an error needs them, and it reads the line again.
   */
  record(rec: Records, plain = this.plainValues()): void {
    const n = this.nAtoms;
    const nArgs = this.nArgs;
    const start = rec.reserve(1 + n + nArgs);
    const pool = rec.pool;
    const kind = this.kind;
    let at = start;
    pool[at++] = n | (nArgs << 8) | (this.call << 16) | (plain ? PLAIN_BIT : 0);
    for (let a = 0; a < n; a++) {
      if (kind[a] === A_IDENT) pool[at++] = 2 * this.id[a];
      else {
        const v = this.num[a];
        pool[at++] = v < 0x40000000 ? 2 * v + 1 : -rec.big.push(v);
      }
    }
    const gk = this.gKind;
    const ga = this.gAtom;
    for (let g = 0; g < nArgs; g++) pool[at++] = gk[g] | (ga[g] << 2);
    rec.used = at;
  }

  /** The offset of the line read again (column = source offset - off), for buildArgs. */
  off = 0;

  /** Whether the line read last is one CallAtoms can give (every value a number or constant). */
  plainValues(): boolean {
    for (let g = 0; g < this.nArgs; g++) {
      const a = this.gAtom[g];
      const k = this.gKind[g];
      if (k === G_POS) {
        if (CALL_SLOTS[this.call][g] > 2 && !this.constAtom(a)) return false;
      } else if (k === G_BUF) {
        if (!this.constAtom(a) || !this.constAtom(a + 1)) return false;
      } else if (this.id[a] === ID_PARENT) {
        if (this.kind[a + 1] !== A_IDENT) return false; // `parent: 3` is the trees' error
      } else if (!this.constAtom(a + 1)) return false;
    }
    return true;
  }

  addArg(kind: number, atom: number): boolean {
    const g = this.nArgs;
    if (g >= MAX_ARGS) return false;
    this.gKind[g] = kind;
    this.gAtom[g] = atom;
    this.nArgs = g + 1;
    return true;
  }

  /** A name that is a named constant, or a number: its checks never report anything. */
  constAtom(a: number): boolean {
    if (this.kind[a] === A_NUM) return true;
    const id = this.id[a];
    return id >= ID_CONST0 && id < ID_CONST1;
  }

  atomExpr(a: number, line: number, off: number): Expr {
    if (this.kind[a] === A_NUM) return new NumExpr(bigOf(this.num[a]), line, this.s[a] - off, this.e[a] - off);
    return new NameExpr(this.ids.strs[this.id[a]], line, this.s[a] - off, this.e[a] - off);
  }

  /** The argument trees of the line read last; named ones go to `named`. */
  buildArgs(line: number, off: number, named: NamedArg[]): ArgValue[] {
    const positional: ArgValue[] = [];
    for (let g = 0; g < this.nArgs; g++) {
      const a = this.gAtom[g];
      const k = this.gKind[g];
      if (k === G_POS) positional.push(this.atomExpr(a, line, off));
      else if (k === G_BUF) {
        const paddr = this.atomExpr(a, line, off);
        const len = this.atomExpr(a + 1, line, off);
        const b = new BufferExpr(paddr, len, line, paddr.col, len.endCol);
        positional.push(new BuffersArg([b], false, line, b.col, b.endCol));
      } else {
        named.push({ name: this.ids.strs[this.id[a]], nameLoc: { line, col: this.s[a] - off, endCol: this.e[a] - off }, value: this.atomExpr(a + 1, line, off) });
      }
    }
    return positional;
  }

  /** The call statement of the line read last, with its trees. */
  stmt(line: number, off: number): CallStmt {
    let target: HandleRef | undefined;
    const t = this.tgt;
    if (t >= 0) target = { name: this.ids.strs[this.id[t]], loc: { line, col: this.s[t] - off, endCol: this.e[t] - off } };
    const named: NamedArg[] = [];
    const positional = this.buildArgs(line, off, named);
    return new CallStmt(this.call, this.callS - off, target, { positional, named: named.length ? named : NO_NAMED }, line, this.start - off, this.end - off);
  }
}

/** b[from, to) as a string: one character a byte (an ASCII trace's bytes are its text). */
function latin1(b: Uint8Array, from = 0, to = b.length): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1', from, to);
}

/**
 * Where each line of src starts: a string's indexOf, or for ASCII bytes a Buffer's (memchr; a
 * Uint8Array's own indexOf is twice as slow).
 */
function lineStarts(src: string | Uint8Array): Int32Array {
  const text = typeof src === 'string' ? src : Buffer.from(src.buffer, src.byteOffset, src.byteLength);
  const nl = typeof src === 'string' ? '\n' : 10;
  let starts = new Int32Array(Math.max(16, (src.length >> 5) + 1));
  let n = 0;
  for (let off = 0; off >= 0;) {
    if (n === starts.length) {
      const grown = new Int32Array(n * 2);
      grown.set(starts);
      starts = grown;
    }
    starts[n++] = off;
    off = (text as string).indexOf(nl as string, off);
    if (off >= 0) off++;
  }
  return starts.subarray(0, n);
}

function skipWs(b: Uint8Array, i: number, to: number): number {
  for (; i < to; i++) {
    const c = b[i];
    if (c !== 32 && c !== 9 && c !== 13) break;
  }
  return i;
}

export interface ParseResult {
  program: Program;
  diagnostics: Diagnostic[];
}

class LineCursor {
  i = 0;
  /** The line is src[from, to): its text is cut out only when a statement needs it. */
  constructor(readonly toks: Token[], readonly line: number, private readonly src: string, private readonly from = 0, private readonly to = src.length) {}
  get text(): string {
    return this.from === 0 && this.to === this.src.length ? this.src : this.src.slice(this.from, this.to);
  }
  peek(o = 0): Token | undefined { return this.toks[this.i + o]; }
  next(): Token | undefined { return this.toks[this.i++]; }
  atEnd(): boolean { return this.i >= this.toks.length; }
  is(text: string, o = 0): boolean {
    const t = this.toks[this.i + o];
    return !!t && t.kind === 'punct' && t.text === text;
  }
  endCol(): number {
    const last = this.toks[this.toks.length - 1];
    return last ? last.endCol : 1;
  }
}

class ParseError extends Error {
  constructor(readonly col: number, readonly endCol: number, message: string) { super(message); }
}

/**
 * Parse a whole trace. By default the argument trees of top-level calls are released after
 * checking and re-read from the source when used (`keepTrees` keeps them all).
 */
export interface ParseOptions {
  /** Keep every call's argument trees (the editor, which reads them all). */
  keepTrees?: boolean;
  /**
   * Keep the atoms of released plain call lines in a compact pool (about 30 bytes a line), so
   * that running or linting the trace reads their arguments without reading the text again (the
   * CLI and the editor; the debugger, which keeps a million-line trace for hours, reads the
   * lines again). Trees, when something asks for them, are still read from the line.
   */
  keepAtoms?: boolean;
  /** The fast path off: the equivalence test's oracle. */
  generalOnly?: boolean;
  /** charBytes(source), if the caller has it; the parser then keeps it for re-reading lines. */
  bytes?: Uint8Array;
}

export function parse(source: string, file = '<trace>', opts: ParseOptions = {}): ParseResult {
  // A plain Uint8Array view of a node Buffer: one kind of array keeps the scanner's loads monomorphic.
  const b = opts.bytes;
  const bytes = b && b.length === source.length ? new Uint8Array(b.buffer, b.byteOffset, b.length) : undefined;
  return new Parser(source, file, !opts.keepTrees, !!opts.generalOnly, bytes, !!opts.keepAtoms && !opts.keepTrees).run();
}

/**
 * parse() of the text that the bytes of an ASCII file stand for (the CLI's): the text is made
 * only if something asks for it (a line the fast path leaves to the general one is cut out
 * alone), which spares a long trace a second copy of itself.
 */
export function parseAscii(bytes: Uint8Array, file = '<trace>', opts: Omit<ParseOptions, 'bytes' | 'generalOnly'> = {}): ParseResult {
  const b = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  return new Parser(undefined, file, !opts.keepTrees, false, b, !!opts.keepAtoms && !opts.keepTrees).run();
}

/** A trace as readTraceFile gives it: from its bytes alone when it is ASCII, else its text. */
export function parseRead(src: { text: string; bytes?: Uint8Array }, file: string, opts: Omit<ParseOptions, 'bytes' | 'generalOnly'> = {}): ParseResult {
  return src.bytes ? parseAscii(src.bytes, file, opts) : parse(src.text, file, opts);
}

class Parser {
  diags: Diagnostic[] = [];
  program: Program;
  private seenCall = false;
  private final = false;
  private deferred: { stmt: Stmt; loopVars: string[] }[] = [];
  private assigned = new Map<string, 'tag' | 'map'>();
  /** Offset of each line in the source, for re-reading a released statement. */
  private starts: Int32Array = new Int32Array(0);

  /** The source, or undefined until asked for when the parser was given the bytes alone. */
  private text: string | undefined;
  /** The source's length (in UTF-16 units, which charBytes makes bytes). */
  private readonly length: number;

  constructor(
    source: string | undefined, readonly file: string, private readonly releaseCalls = true, private readonly generalOnly = false,
    /** charBytes(source), when the caller already has it (the CLI's file buffer of an ASCII
     * trace); with no source, the bytes are the source's one per character (parseAscii). */
    private readonly bytes?: Uint8Array,
    keepAtoms = false,
  ) {
    this.text = source;
    this.length = source !== undefined ? source.length : bytes!.length;
    if (keepAtoms) this.records = new Records(this.length);
    const top = this.top;
    const lines = new LineIndex();
    this.lineIndex = lines;
    this.program = { file, source: '', machine: {}, body: top as Stmt[], handleKinds: new Map(), lines, top };
    Object.defineProperty(this.program, 'source', { enumerable: true, configurable: true, get: () => this.source });
    // `body` is `top` until a row is kept, and then every row made a statement on first read.
    let body: Stmt[] | undefined;
    Object.defineProperty(this.program, 'body', {
      enumerable: true,
      configurable: true,
      get: () => {
        if (body) return body;
        const rows = this.rows;
        if (!rows) return top as Stmt[];
        return (body = top.map((x) => (typeof x === 'number' ? lines.get(rows.lineOf(x))! : x)));
      },
      set: (v: Stmt[]) => { body = v; },
    });
  }
  private readonly top: (Stmt | number)[] = [];
  private readonly lineIndex: LineIndex;
  get source(): string {
    return (this.text ??= latin1(this.bytes!));
  }
  /** The plain call lines kept as rows (see Program.top); created with the first. */
  private rows?: PlainCalls;

  /** Where line `li` (0-based) lies in the source, without its line ending. */
  private lineRange(li: number): [number, number] {
    const start = this.starts[li];
    const next = li + 1 < this.starts.length ? this.starts[li + 1] : this.length + 1;
    let end = Math.min(next - 1, this.length);
    if (end > start && this.charAt(end - 1) === 13) end--;
    return [start, end];
  }

  /** The text of line `li` (0-based), without its line ending; a fresh string each time (cut
   * from the bytes when the source is not made). */
  private lineText(li: number): string {
    const [start, end] = this.lineRange(li);
    return this.text !== undefined ? this.text.slice(start, end) : latin1(this.bytes!, start, end);
  }
  private charAt(i: number): number {
    return this.bytes ? this.bytes[i] : this.text!.charCodeAt(i);
  }

  error(line: number, col: number, endCol: number, message: string, code?: string): void {
    this.diags.push({ severity: 'error', message, line, col, endCol: Math.max(endCol, col + 1), code });
  }

  warn(line: number, col: number, endCol: number, message: string, code?: string): void {
    this.diags.push({ severity: 'warning', message, line, col, endCol: Math.max(endCol, col + 1), code });
  }

  run(): ParseResult {
    const stack: { stmts: (Stmt | number)[]; repeat?: RepeatStmt }[] = [{ stmts: this.top }];
    // With bytes alone (parseAscii) the source is not made: lines, fast path and all, read them.
    const src = this.text;
    const bytes = this.generalOnly ? undefined : (this.bytes ?? charBytes(this.source));
    this.starts = lineStarts(src ?? bytes!);
    const starts = this.starts;
    const end = this.length;
    const nLines = starts.length;
    if (this.records) this.records.byLine = new Int32Array(nLines + 1).fill(-1);
    this.lineIndex.reserve(nLines + 1);
    // The top level is filled in place, sized once (a million pushes grow and copy it ~20
    // times), and cut to its length after the last line: topN entries, not top.length.
    const tops = this.top;
    tops.length = nLines;
    let topN = 0;
    for (let li = 0; li < nLines; li++) {
      const line = li + 1;
      // The line's range without its line ending (lineRange, without the pair).
      const from = starts[li];
      let to = li + 1 < nLines ? starts[li + 1] - 1 : end;
      if (to > from && (bytes ? bytes[to - 1] : src!.charCodeAt(to - 1)) === 13) to--;
      if (bytes && this.scanCall(bytes, from, to, true, src, 0)) {
        const top = stack.length === 1;
        const block = stack[stack.length - 1].stmts;
        let stmt: CallStmt;
        if (top) {
          // Checks that would report nothing are skipped; a released call's trees are then
          // never built here (the runner re-reads the line).
          const quiet = this.fastChecks();
          const f = this.fs!;
          if (quiet && this.releaseCalls) {
            // Not even a statement: a row of the table (Program.top).
            let rows = this.rows;
            if (!rows) rows = this.program.plain = this.rows = new PlainCalls(f.ids, this.reloader, nLines);
            const k = rows.add(line, f.start - from + 1, f.end - from + 1, f.callS - from + 1, f.call, f.tgt >= 0 ? f.id[f.tgt] : -1);
            tops[topN++] = k;
            this.lineIndex.setRow(line, k, rows);
            const rec = this.records;
            if (rec) {
              // A quiet line's values are numbers and constants, and it names no parent.
              rec.byLine[line] = rec.used;
              f.record(rec, true);
            }
            continue;
          }
          stmt = f.stmt(line, from - 1);
          tops[topN++] = stmt;
          this.program.lines.set(line, stmt);
          if (!quiet) this.checkNow(stmt, NO_VARS);
          if (this.releaseCalls) {
            stmt.release(this.reloader);
            const rec = this.records;
            if (rec) {
              rec.byLine[line] = rec.used;
              this.fs!.record(rec);
            }
          }
        } else {
          stmt = this.fs!.stmt(line, from - 1);
          block.push(stmt);
          this.program.lines.set(line, stmt);
          const loopVars: string[] = [];
          for (let k = 1; k < stack.length; k++) if (stack[k].repeat!.var) loopVars.push(stack[k].repeat!.var!);
          this.checkNow(stmt, loopVars);
        }
        continue;
      }
      // The general path reads the source, or this line of it alone when it is not made.
      const lt = src ?? latin1(bytes!, from, to);
      const lf = src === undefined ? 0 : from;
      const toks = lexLine(lt, undefined, lf, lf + to - from);
      if (toks.length === 0) continue;
      let bad = false;
      for (let k = 0; k < toks.length; k++) {
        const t = toks[k];
        if (t.error) {
          this.error(line, t.col, t.endCol, t.error);
          bad = true;
        }
      }
      if (bad) continue;
      const cur = new LineCursor(toks, line, lt, lf, lf + to - from);
      try {
        // A closing brace ends the innermost repeat.
        if (cur.is('}')) {
          cur.next();
          if (!cur.atEnd()) throw new ParseError(cur.peek()!.col, cur.endCol(), "nothing may follow '}' on its line");
          if (stack.length === 1) throw new ParseError(toks[0].col, toks[0].endCol, "'}' without a matching 'repeat'");
          const top = stack.pop()!;
          top.repeat!.endLine = line;
          continue;
        }
        const stmt = this.statement(cur, stack.length);
        if (!stmt) continue;
        const block = stack[stack.length - 1].stmts;
        let n: number;
        if (block === tops) tops[(n = ++topN) - 1] = stmt;
        else n = block.push(stmt);
        this.program.lines.set(line, stmt);
        let loopVars = NO_VARS;
        if (stack.length > 1) {
          loopVars = [];
          for (let k = 1; k < stack.length; k++) if (stack[k].repeat!.var) loopVars.push(stack[k].repeat!.var!);
        }
        this.checkNow(stmt, loopVars);
        if (stmt.kind === 'expect' && readsErrno(stmt.expr) && n >= 2) {
          const prev = block[n - 2];
          if (typeof prev === 'number') this.rows!.check(prev);
          else if (prev.kind === 'call') prev.checked = true;
        }
        if (stmt.kind === 'call' && stack.length === 1 && this.releaseCalls) stmt.release(this.reloader);
        if (stmt.kind === 'repeat') {
          if (stack.length > MAX_DEPTH) throw new ParseError(toks[0].col, toks[0].endCol, `repeat blocks nested more than ${MAX_DEPTH} deep`);
          stack.push({ stmts: stmt.body, repeat: stmt });
        }
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        this.error(line, e.col, e.endCol, e.message);
        // A broken create line still names a handle, so its uses do not cascade.
        const m = CREATE_LINE.exec(cur.text);
        if (m && !this.program.handleKinds.has(m[1])) this.setKind(m[1], m[2] === 'bus_dma_tag_create' ? 'tag' : 'map');
        // A broken `repeat ... {` line still opens a block, so its `}` does not cascade.
        const last = toks[toks.length - 1];
        if (toks[0].kind === 'ident' && toks[0].text === 'repeat' && last.kind === 'punct' && last.text === '{') {
          const dummy: RepeatStmt = { kind: 'repeat', loc: { line, col: toks[0].col, endCol: cur.endCol() }, count: new NumExpr(0n, line, 1, 2), body: [], endLine: line };
          stack.push({ stmts: dummy.body, repeat: dummy });
        }
      }
    }
    tops.length = topN;
    for (let k = stack.length - 1; k >= 1; k--) {
      const r = stack[k].repeat!;
      this.error(r.loc.line, r.loc.col, r.loc.endCol, "this 'repeat' block is never closed with '}'");
    }
    // Statements that named a handle before its first assignment are checked now.
    this.final = true;
    for (const d of this.deferred) {
      this.checkStmt(d.stmt, d.loopVars);
      if (d.stmt.kind === 'call') d.stmt.drop();
    }
    this.diags.sort((a, b) => a.line - b.line || a.col - b.col);
    return { program: this.program, diagnostics: this.diags };
  }

  /**
   * Reads a released call's line into this.fs again; false when the fast path cannot read it
   * (then the scratch parser does). fs.off is set.
   */
  private readAgain(line: number): boolean {
    if (this.generalOnly) return false;
    const f = (this.fs ??= new FastScan());
    const [from, to] = this.lineRange(line - 1);
    // The bytes of the whole source if the caller keeps them, else this line's copied.
    if (this.bytes) {
      if (!this.scanCall(this.bytes, from, to, false, this.text, 0)) return false;
      f.off = from - 1;
    } else {
      const b = (this.lineBytes = charBytes(this.source, from, to, this.lineBytes));
      if (!this.scanCall(b, 0, to - from, false, this.source, from)) return false;
      f.off = -1;
    }
    return true;
  }

  /** Line `line` read again, for the columns of its atoms (column = fs.s[a] - fs.off). */
  private readonly columns = (line: number): FastScan => {
    if (!this.readAgain(line)) throw new Error(`internal: line ${line} no longer reads as a plain call`);
    return this.fs!;
  };

  /** Re-reads a released call's arguments from its line (see CallStmt.release). */
  private readonly reload = (c: CallStmt): void => {
    if (this.readAgain(c.line)) {
      const f = this.fs!;
      const named: NamedArg[] = [];
      const positional = f.buildArgs(c.line, f.off, named);
      c.setArgs(positional, named.length ? named : NO_NAMED);
      return;
    }
    const text = this.lineText(c.line - 1);
    // One scratch parser serves every re-read: the line parsed cleanly once, so this is the
    // statement parse alone, with no checks and nothing recorded.
    const p = (this.scratch ??= new Parser('', this.file, false));
    let again: Stmt | undefined;
    try {
      again = p.statement(new LineCursor(lexLine(text), c.line, text), 1);
    } catch {
      again = undefined;
    }
    if (!again || again.kind !== 'call') throw new Error(`internal: line ${c.line} no longer parses as a call`);
    c.setArgs(again.positional, again.named);
  };

  /** A released call's arguments with no trees (see CallAtoms), or undefined. */
  private readonly atoms = (line: number): CallAtoms | undefined => {
    const rec = this.records;
    const ids = (this.fs ??= new FastScan()).ids;
    if (rec && line < rec.byLine.length && rec.byLine[line] >= 0) {
      // Kept atoms, read where they are; PLAIN_BIT says whether they can serve.
      const at = rec.byLine[line];
      return (rec.pool[at] & PLAIN_BIT) !== 0 ? (this.kept ??= new KeptAtoms(ids, this.columns)).view(rec, at, line) : undefined;
    }
    // None kept (the debugger): the line read again into a record of its own.
    if (!this.readAgain(line)) return undefined;
    const one = (this.oneRecord ??= new Records(0));
    one.used = 0;
    one.big.length = 0;
    this.fs!.record(one);
    if ((one.pool[0] & PLAIN_BIT) === 0) return undefined;
    return (this.keptOne ??= new KeptAtoms(ids, this.columns)).view(one, 0, line);
  };
  private kept?: KeptAtoms;
  private keptOne?: KeptAtoms;
  private oneRecord?: Records;
  private scratch?: Parser;
  private readonly reloader: Reloader = { reload: this.reload, atoms: this.atoms };
  private records?: Records;
  private lineBytes?: Uint8Array;


  private fs?: FastScan;

  /**
   * The fast path (see FastScan): true when src[from, to) is a plain call line, read into
   * this.fs. With `checked` it also gives up on a line whose statement the general path would
   * report, and then does what the general path does for the line (handle kinds, seenCall).
   */
  private scanCall(src: Uint8Array, from: number, to: number, checked: boolean, text: string | undefined, delta: number): boolean {
    const f = (this.fs ??= new FastScan());
    f.text = text;
    f.delta = delta;
    let i = skipWs(src, from, to);
    if (i >= to) return false;
    f.nAtoms = 0;
    f.nArgs = 0;
    f.tgt = -1;
    f.start = i;
    const c0 = src[i];
    if (!((c0 >= 97 && c0 <= 122) || (c0 >= 65 && c0 <= 90) || c0 === 95)) return false;
    i = f.atom(src, i, to);
    let id = f.id[0];
    if (id < ID_CALL0) return false; // a keyword's statement
    if (id >= ID_CONST0) {
      // `NAME = call(...)`
      f.tgt = 0;
      i = skipWs(src, i, to);
      if (i >= to || src[i] !== 61 || (i + 1 < to && src[i + 1] === 61)) return false;
      i = skipWs(src, i + 1, to);
      if (i >= to) return false;
      f.callS = i;
      i = f.atom(src, i, to);
      if (i < 0 || f.kind[1] !== A_IDENT) return false;
      id = f.id[1];
      if (id < ID_CALL0 || id >= ID_CONST0) return false;
    } else {
      f.callS = f.start;
    }
    const call = (f.call = id - ID_CALL0);
    const namedMask = CALL_NAMED_MASK[call];
    const slots = CALL_SLOTS[call];
    i = skipWs(src, i, to);
    if (i >= to || src[i] !== 40) return false;
    i = skipWs(src, i + 1, to);
    let nPos = 0;
    let nNamed = 0;
    if (i < to && src[i] === 41) {
      i++;
    } else {
      for (;;) {
        if (i >= to) return false;
        const a = f.nAtoms;
        let j = f.atom(src, i, to);
        if (j < 0) return false;
        i = skipWs(src, j, to);
        let c = i < to ? src[i] : 0;
        const isName = f.kind[a] === A_IDENT;
        const nk = f.id[a] - ID_CONST1; // the named argument's index in NAMED_LIST, if one
        if (isName && c === 58 && nk >= 0 && nk < NAMED_LIST.length && ((namedMask >> nk) & 1) === 1) {
          for (let g = 0; g < f.nArgs; g++) if (f.gKind[g] === G_NAMED && f.id[f.gAtom[g]] === f.id[a]) return false;
          i = skipWs(src, i + 1, to);
          if (i >= to) return false;
          j = f.atom(src, i, to);
          if (j < 0 || !f.addArg(G_NAMED, a)) return false;
          i = skipWs(src, j, to);
          nNamed++;
        } else {
          const slot = slots[nPos];
          if (isName && c === 58 && slot !== 3) return false;
          if (nNamed > 0 || slot === undefined) return false;
          if (slot === 3) {
            if (c !== 58) return false;
            i = skipWs(src, i + 1, to);
            if (i >= to) return false;
            j = f.atom(src, i, to);
            if (j < 0 || !f.addArg(G_BUF, a)) return false;
            i = skipWs(src, j, to);
          } else {
            if (slot <= 2 && !isName) return false;
            if (!f.addArg(G_POS, a)) return false;
          }
          nPos++;
        }
        c = i < to ? src[i] : 0;
        if (c === 44) {
          i = skipWs(src, i + 1, to);
          if (i < to && src[i] === 41) return false;
          continue;
        }
        if (c === 41) {
          i++;
          break;
        }
        return false;
      }
    }
    f.end = i;
    i = skipWs(src, i, to);
    if (i < to && src[i] !== 35) return false;
    if (nPos !== slots.length) return false;
    if (f.tgt >= 0) {
      const returns = CALL_RETURNS[call];
      if (!returns) return false;
      if (checked) {
        const name = f.ids.strs[f.id[f.tgt]];
        if (isReserved(name)) return false;
        const had = this.assigned.get(name);
        if (had !== undefined && had !== returns) return false;
        this.assigned.set(name, returns);
        this.setKind(name, returns);
      }
    }
    if (checked) this.seenCall = true;
    return true;
  }

  /** Every change of program.handleKinds goes through here: it invalidates FastScan's copy. */
  private setKind(name: string, kind: 'tag' | 'map'): void {
    const kinds = this.program.handleKinds;
    if (kinds.get(name) === kind) return;
    kinds.set(name, kind);
    this.kindsVersion++;
  }
  private kindsVersion = 1;

  /** handleKinds of identifier `id` (1 tag, 2 map, 0 neither), cached by id until a kind changes. */
  private kindOfId(id: number): number {
    const f = this.fs!;
    if (id >= f.kindAt.length) {
      const n = Math.max(f.kindAt.length * 2, id + 1);
      const at = new Int32Array(n);
      at.set(f.kindAt);
      f.kindAt = at;
      const of = new Int8Array(n);
      of.set(f.kindOf);
      f.kindOf = of;
    }
    if (f.kindAt[id] === this.kindsVersion) return f.kindOf[id];
    const k = this.program.handleKinds.get(f.ids.strs[id]);
    const v = k === 'tag' ? 1 : k === 'map' ? 2 : 0;
    f.kindOf[id] = v;
    f.kindAt[id] = this.kindsVersion;
    return v;
  }

  /** After scanCall: the static checks of the call at top level would report nothing. */
  private fastChecks(): boolean {
    const f = this.fs!;
    if (f.tgt < 0 && CALL_RETURNS[f.call]) return false;
    const slots = CALL_SLOTS[f.call];
    let p = 0;
    for (let g = 0; g < f.nArgs; g++) {
      const a = f.gAtom[g];
      const k = f.gKind[g];
      if (k === G_POS) {
        const slot = slots[p++];
        if (slot <= 2) {
          if (this.kindOfId(f.id[a]) !== slot) return false;
        } else if (!f.constAtom(a)) return false;
      } else if (k === G_BUF) {
        p++;
        if (!f.constAtom(a) || !f.constAtom(a + 1)) return false;
      } else {
        if (f.id[a] === ID_PARENT || !f.constAtom(a + 1)) return false;
      }
    }
    return true;
  }

  private statement(cur: LineCursor, depth: number): Stmt | undefined {
    const first = cur.peek()!;
    const line = cur.line;
    const loc: Loc = { line, col: first.col, endCol: cur.endCol() };
    if (first.kind !== 'ident') throw new ParseError(first.col, first.endCol, `expected a statement, found '${first.text}'`);
    switch (first.text) {
      case 'machine': {
        cur.next();
        if (this.seenCall || depth > 1) this.error(line, first.col, first.endCol, "'machine' must come before the first call, outside any repeat");
        if (cur.atEnd()) throw new ParseError(first.endCol, first.endCol + 1, "expected 'maxmem=SIZE' after 'machine'");
        while (!cur.atEnd()) {
          const key = cur.next()!;
          if (key.kind !== 'ident' || key.text !== 'maxmem') throw new ParseError(key.col, key.endCol, `unknown machine setting '${key.text}' (known: maxmem)`);
          if (!cur.is('=')) throw new ParseError(key.endCol, key.endCol + 1, "expected '=' after 'maxmem'");
          cur.next();
          const e = this.expr(cur);
          const v = constValue(e);
          if (v === undefined) throw new ParseError(e.loc.col, e.loc.endCol, 'maxmem must be a constant size, e.g. 16G');
          if (v < 1n << 20n) throw new ParseError(e.loc.col, e.loc.endCol, 'maxmem must be at least 1M');
          this.program.machine = { maxmem: v, maxmemLoc: e.loc };
        }
        return undefined;
      }
      case 'kernel': {
        cur.next();
        if (this.seenCall || depth > 1) this.error(line, first.col, first.endCol, "'kernel' must come before the first call, outside any repeat");
        const id = cur.next();
        if (!id || id.kind !== 'ident') throw new ParseError(first.endCol + 1, first.endCol + 2, `expected a kernel id after 'kernel' (${KERNEL_IDS.join(', ')})`);
        if (!isKernelId(id.text)) throw new ParseError(id.col, id.endCol, `unknown kernel '${id.text}' (known: ${KERNEL_IDS.join(', ')})`);
        this.expectEnd(cur);
        this.program.kernel = { id: id.text, loc: { line, col: id.col, endCol: id.endCol } };
        return undefined;
      }
      case 'repeat': {
        cur.next();
        if (cur.atEnd() || cur.is('{')) throw new ParseError(first.endCol, first.endCol + 1, "expected a count after 'repeat'");
        const count = this.expr(cur);
        let v: string | undefined;
        let varLoc: Loc | undefined;
        const asTok = cur.peek();
        if (asTok && asTok.kind === 'ident' && asTok.text === 'as') {
          cur.next();
          const name = cur.next();
          if (!name || name.kind !== 'ident') throw new ParseError(asTok.endCol, asTok.endCol + 1, "expected a loop variable name after 'as'");
          if (isReserved(name.text)) {
            throw new ParseError(name.col, name.endCol, `'${name.text}' is reserved and cannot name a loop variable`);
          }
          v = name.text;
          varLoc = { line, col: name.col, endCol: name.endCol };
        }
        if (!cur.is('{')) {
          const t = cur.peek();
          throw new ParseError(t ? t.col : cur.endCol(), t ? t.endCol : cur.endCol() + 1, "expected '{' at the end of the 'repeat' line");
        }
        cur.next();
        this.expectEnd(cur);
        this.seenCall = true;
        return { kind: 'repeat', loc, count, var: v, varLoc, body: [], endLine: line };
      }
      case 'expect': {
        cur.next();
        if (cur.atEnd()) throw new ParseError(first.endCol, first.endCol + 1, "expected an expression after 'expect'");
        const startI = cur.i;
        const expr = this.expr(cur);
        const source = cur.text.slice(cur.toks[startI].col - 1, cur.toks[cur.i - 1].endCol - 1);
        let message: string | undefined;
        if (cur.is(',')) {
          cur.next();
          const s = cur.next();
          if (!s || s.kind !== 'str') throw new ParseError(s ? s.col : cur.endCol(), s ? s.endCol : cur.endCol() + 1, "expected a \"message\" string after ','");
          message = s.str;
        }
        this.expectEnd(cur);
        this.seenCall = true;
        return { kind: 'expect', loc, expr, message, source };
      }
      case 'print': {
        cur.next();
        if (cur.atEnd()) throw new ParseError(first.endCol, first.endCol + 1, "expected an expression after 'print'");
        const startI = cur.i;
        const expr = this.expr(cur);
        const source = cur.text.slice(cur.toks[startI].col - 1, cur.toks[cur.i - 1].endCol - 1);
        this.expectEnd(cur);
        this.seenCall = true;
        return { kind: 'print', loc, expr, source };
      }
      case 'log': {
        cur.next();
        const s = cur.next();
        if (!s || s.kind !== 'str') throw new ParseError(s ? s.col : first.endCol, s ? s.endCol : first.endCol + 1, "expected a \"text\" string after 'log'");
        this.expectEnd(cur);
        this.seenCall = true;
        return { kind: 'log', loc, text: s.str! };
      }
      case 'sysctl': {
        cur.next();
        let prefix: string | undefined;
        if (!cur.atEnd()) {
          const parts: string[] = [];
          const t0 = cur.peek()!;
          for (;;) {
            const t = cur.next();
            if (!t || (t.kind !== 'ident' && t.kind !== 'num')) throw new ParseError(t ? t.col : cur.endCol(), t ? t.endCol : cur.endCol() + 1, 'expected a sysctl name such as hw.busdma or hw.busdma.zone0');
            parts.push(t.text);
            if (!cur.is('.')) break;
            cur.next();
          }
          prefix = parts.join('.');
          if (!('hw.busdma'.startsWith(prefix) || prefix.startsWith('hw.busdma'))) {
            throw new ParseError(t0.col, cur.endCol(), `'${prefix}' is not under hw.busdma`);
          }
        }
        this.expectEnd(cur);
        this.seenCall = true;
        return { kind: 'sysctl', loc, prefix };
      }
      default:
        break;
    }
    // An assignment `T = call(...)` / `t[i] = call(...)`, or a bare call.
    let target: HandleRef | undefined;
    if (!CALL_NAMES.has(first.text)) {
      target = this.handleRef(cur);
      if (!cur.is('=')) {
        const t = cur.peek();
        if (!t && !target.index) throw new ParseError(first.col, first.endCol, `unknown statement '${first.text}'`);
        throw new ParseError(t ? t.col : cur.endCol(), t ? t.endCol : cur.endCol() + 1, `expected '=' after '${first.text}${target.index ? '[...]' : ''}'`);
      }
      cur.next();
      if (isReserved(target.name)) {
        this.error(line, target.loc.col, target.loc.endCol, `'${target.name}' is reserved and cannot name a handle`);
      }
    }
    const callTok = cur.next();
    if (!callTok || callTok.kind !== 'ident') throw new ParseError(callTok ? callTok.col : cur.endCol(), callTok ? callTok.endCol : cur.endCol() + 1, 'expected a busdma call');
    if (!CALL_NAMES.has(callTok.text)) {
      throw new ParseError(callTok.col, callTok.endCol, `unknown call '${callTok.text}' (known: ${Object.keys(CALLS).join(', ')})`);
    }
    const call = CALL_NAMES.get(callTok.text)!;
    const spec = CALLS[call];
    if (!cur.is('(')) throw new ParseError(callTok.endCol, callTok.endCol + 1, `expected '(' after ${call}`);
    cur.next();
    const positional: ArgValue[] = [];
    const named: NamedArg[] = [];
    while (!cur.is(')')) {
      if (cur.atEnd()) throw new ParseError(cur.endCol(), cur.endCol() + 1, `expected ')' to close ${call}(`);
      const t = cur.peek()!;
      if (t.kind === 'ident' && cur.is(':', 1) && spec.named.includes(t.text)) {
        cur.next();
        cur.next();
        if (named.some((a) => a.name === t.text)) this.error(line, t.col, t.endCol, `argument '${t.text}' given twice`);
        named.push({ name: t.text, nameLoc: { line, col: t.col, endCol: t.endCol }, value: this.expr(cur) });
      } else if (t.kind === 'ident' && cur.is(':', 1) && spec.positional[positional.length] !== 'buffer') {
        throw new ParseError(t.col, t.endCol, spec.named.length
          ? `${call} has no argument '${t.text}' (known: ${spec.named.join(', ')})`
          : `${call} takes no named arguments`);
      } else {
        if (named.length) throw new ParseError(t.col, t.endCol, 'positional arguments must come before named ones');
        const kind = spec.positional[positional.length];
        if (kind === undefined) throw new ParseError(t.col, t.endCol, `${call} takes ${spec.positional.length} positional argument${spec.positional.length === 1 ? '' : 's'}`);
        positional.push(kind === 'buffer' ? this.buffers(cur) : this.expr(cur));
      }
      if (cur.is(',')) {
        cur.next();
        if (cur.is(')')) throw new ParseError(cur.peek()!.col, cur.peek()!.endCol, "expected an argument after ','");
      } else if (!cur.is(')')) {
        const u = cur.peek();
        if (!u) throw new ParseError(cur.endCol(), cur.endCol() + 1, `expected ')' to close ${call}(`);
        throw new ParseError(u.col, u.endCol, `expected ',' or ')' in ${call}(...)`);
      }
    }
    const close = cur.next()!;
    this.expectEnd(cur);
    if (positional.length < spec.positional.length) {
      const names = spec.positional.map((k) => (k === 'expr' ? 'ops' : k)).join(', ');
      this.error(line, close.col, close.endCol, `${call} needs ${spec.positional.length} argument${spec.positional.length === 1 ? '' : 's'} (${names}), got ${positional.length}`);
    }
    spec.positional.forEach((k, idx) => {
      const a = positional[idx];
      if (!a || (k !== 'tag' && k !== 'map')) return;
      if (a.kind !== 'name' && a.kind !== 'index') this.error(line, a.col, a.endCol, `expected a ${k} handle`);
    });
    if (target && !spec.returns) this.error(line, target.loc.col, target.loc.endCol, `${call} returns no handle to assign`);
    if (target && spec.returns) {
      if (this.assigned.has(target.name) && this.assigned.get(target.name) !== spec.returns) {
        this.error(line, target.loc.col, target.loc.endCol, `'${target.name}' is used for both tags and maps`);
      } else {
        this.assigned.set(target.name, spec.returns);
        this.setKind(target.name, spec.returns);
      }
    }
    this.seenCall = true;
    return new CallStmt(call, callTok.col, target, { positional, named: named.length ? named : NO_NAMED }, line, loc.col, loc.endCol);
  }

  private expectEnd(cur: LineCursor): void {
    const t = cur.peek();
    if (t) throw new ParseError(t.col, t.endCol, `unexpected '${t.text}' at the end of the statement`);
  }

  private handleRef(cur: LineCursor): HandleRef {
    const t = cur.next()!;
    if (t.kind !== 'ident') throw new ParseError(t.col, t.endCol, 'expected a handle name');
    const loc: Loc = { line: cur.line, col: t.col, endCol: t.endCol };
    if (cur.is('[')) {
      cur.next();
      const index = this.expr(cur);
      if (!cur.is(']')) throw new ParseError(cur.peek()?.col ?? cur.endCol(), cur.peek()?.endCol ?? cur.endCol() + 1, "expected ']'");
      loc.endCol = cur.next()!.endCol;
      return { name: t.text, index, loc };
    }
    return { name: t.text, loc };
  }

  private buffers(cur: LineCursor): ArgValue {
    const start = cur.peek()!;
    if (cur.is('[')) {
      cur.next();
      const list: BufferExpr[] = [];
      for (;;) {
        list.push(this.buffer(cur));
        if (cur.is(',')) { cur.next(); continue; }
        if (cur.is(']')) break;
        const t = cur.peek();
        throw new ParseError(t ? t.col : cur.endCol(), t ? t.endCol : cur.endCol() + 1, "expected ',' or ']' in the buffer list");
      }
      const end = cur.next()!;
      return new BuffersArg(list, true, cur.line, start.col, end.endCol);
    }
    const b = this.buffer(cur);
    return new BuffersArg([b], false, cur.line, b.col, b.endCol);
  }

  private buffer(cur: LineCursor): BufferExpr {
    const paddr = this.expr(cur);
    if (!cur.is(':')) {
      const t = cur.peek();
      throw new ParseError(t ? t.col : paddr.endCol, t ? t.endCol : paddr.endCol + 1, "expected a buffer 'PADDR:LEN' (a ':' and a length)");
    }
    cur.next();
    const len = this.expr(cur);
    return new BufferExpr(paddr, len, cur.line, paddr.col, len.endCol);
  }

  // ---- expressions, by C precedence ----

  /** An expression on its own (parseExpression). */
  static expressionOf(cur: LineCursor): Expr {
    return new Parser('', '<expression>').expr(cur, 0);
  }

  private expr(cur: LineCursor, depth = 0): Expr {
    if (depth > 64) {
      const t = cur.peek();
      throw new ParseError(t?.col ?? 1, t?.endCol ?? 2, 'expression nested too deeply');
    }
    if (depth === 0) this.operators = 0;
    return this.binary(cur, 1, depth);
  }

  /** Binary operators read in the current expression: a long chain nests as deeply as
   * parentheses do (left-associative), so it is bounded too. */
  private operators = 0;

  /** Precedence climbing: left-associative binary operators at or above `min`. */
  private binary(cur: LineCursor, min: number, depth: number): Expr {
    let left = this.unary(cur, depth);
    for (;;) {
      const t = cur.peek();
      if (!t || t.kind !== 'punct') return left;
      const p = PREC.get(t.text);
      if (p === undefined || p < min) return left;
      if (++this.operators > MAX_OPERATORS) throw new ParseError(t.col, t.endCol, `expression too long (more than ${MAX_OPERATORS} operators)`);
      cur.next();
      const right = this.binary(cur, p + 1, depth + 1);
      left = new BinaryExpr(t.text as BinOp, left, right, cur.line, left.col, right.endCol);
    }
  }

  private unary(cur: LineCursor, depth: number): Expr {
    const t = cur.peek();
    if (t && t.kind === 'punct' && (t.text === '!' || t.text === '-' || t.text === '~')) {
      cur.next();
      if (depth > 64) throw new ParseError(t.col, t.endCol, 'expression nested too deeply');
      const arg = this.unary(cur, depth + 1);
      return new UnaryExpr(t.text as '!' | '-' | '~', arg, cur.line, t.col, arg.endCol);
    }
    return this.postfix(cur, depth);
  }

  private postfix(cur: LineCursor, depth: number): Expr {
    let e = this.primary(cur, depth);
    while (cur.is('.')) {
      cur.next();
      const f = cur.next();
      if (!f || f.kind !== 'ident') throw new ParseError(f ? f.col : cur.endCol(), f ? f.endCol : cur.endCol() + 1, "expected a field name after '.'");
      e = new FieldExpr(e, f.text, f.col, cur.line, e.col, f.endCol);
    }
    return e;
  }

  private primary(cur: LineCursor, depth: number): Expr {
    const t = cur.next();
    if (!t) throw new ParseError(cur.endCol(), cur.endCol() + 1, 'expected an expression');
    if (t.kind === 'num') return new NumExpr(t.value!, cur.line, t.col, t.endCol);
    if (t.kind === 'str') return new StrExpr(t.str!, cur.line, t.col, t.endCol);
    if (t.kind === 'ident') {
      if (cur.is('[')) {
        cur.next();
        const index = this.expr(cur, depth + 1);
        if (!cur.is(']')) throw new ParseError(cur.peek()?.col ?? cur.endCol(), cur.peek()?.endCol ?? cur.endCol() + 1, "expected ']'");
        return new IndexExpr(t.text, index, cur.line, t.col, cur.next()!.endCol);
      }
      return new NameExpr(t.text, cur.line, t.col, t.endCol);
    }
    if (t.kind === 'punct' && t.text === '(') {
      const e = this.expr(cur, depth + 1);
      if (!cur.is(')')) throw new ParseError(cur.peek()?.col ?? cur.endCol(), cur.peek()?.endCol ?? cur.endCol() + 1, "expected ')'");
      cur.next();
      return e;
    }
    throw new ParseError(t.col, t.endCol, `expected an expression, found '${t.text}'`);
  }

  // ---- static checks over the whole program ----

  /** Check a statement now, or at the end if it names a handle assigned only further down. */
  private checkNow(stmt: Stmt, loopVars: string[]): void {
    const mark = this.diags.length;
    try {
      if (stmt.kind === 'repeat' && stmt.var) throw DEFER;
      this.checkStmt(stmt, loopVars);
    } catch (e) {
      if (e !== DEFER) throw e;
      this.diags.length = mark;
      this.deferred.push({ stmt, loopVars });
    }
  }

  /** A name is not a handle (yet): while reading the file that may change further down. */
  private unknownHandle(name: string): boolean {
    if (this.program.handleKinds.has(name)) return false;
    if (!this.final) throw DEFER;
    return true;
  }

  /** Static checks of one statement, given the loop variables in scope. */
  private checkStmt(s: Stmt, loopVars: string[]): void {
    const kinds = this.program.handleKinds;
    switch (s.kind) {
      case 'repeat': {
        this.checkExpr(s.count, loopVars);
        if (s.var && loopVars.includes(s.var)) this.error(s.loc.line, s.varLoc!.col, s.varLoc!.endCol, `loop variable '${s.var}' already names an enclosing loop's variable`);
        if (s.var && kinds.has(s.var)) this.error(s.loc.line, s.varLoc!.col, s.varLoc!.endCol, `'${s.var}' already names a handle`);
        break;
      }
      case 'call': {
        const spec = CALLS[s.call];
        s.positional.forEach((a, i) => {
          if (a.kind !== 'buffers') {
            const k = spec.positional[i];
            if ((k === 'tag' || k === 'map') && (a.kind === 'name' || a.kind === 'index')) {
              const name = a.kind === 'name' ? a.name : a.base;
              if (a.kind === 'index') this.checkExpr(a.index, loopVars);
              const have = loopVars.includes(name) || this.unknownHandle(name) ? undefined : kinds.get(name);
              if (loopVars.includes(name)) this.error(a.line, a.col, a.endCol, `'${name}' is a loop variable, not a ${k} handle`);
              else if (!have) this.error(a.line, a.col, a.endCol, `unknown handle '${name}': no ${k} is ever assigned to it`, 'unknown-handle');
              else if (have !== k) this.error(a.line, a.col, a.endCol, `'${name}' holds a ${have}, but a ${k} is expected here`);
            } else {
              this.checkExpr(a, loopVars);
            }
          } else {
            for (const b of a.buffers) {
              this.checkExpr(b.paddr, loopVars);
              this.checkExpr(b.len, loopVars);
            }
          }
        });
        for (const n of s.named) {
          if (n.name === 'parent') {
            const e = n.value;
            if (e.kind !== 'name' && e.kind !== 'index') {
              this.error(e.loc.line, e.loc.col, e.loc.endCol, 'parent: expects a tag handle');
            } else {
              const name = e.kind === 'name' ? e.name : e.base;
              if (e.kind === 'index') this.checkExpr(e.index, loopVars);
              const have = this.unknownHandle(name) ? undefined : kinds.get(name);
              if (have !== 'tag') this.error(e.loc.line, e.loc.col, e.loc.endCol, have ? `'${name}' holds a map, not a tag` : `unknown handle '${name}': no tag is ever assigned to it`, 'unknown-handle');
            }
          } else {
            this.checkExpr(n.value, loopVars);
          }
        }
        if (s.target?.index) this.checkExpr(s.target.index, loopVars);
        if (s.target && loopVars.includes(s.target.name)) this.error(s.loc.line, s.target.loc.col, s.target.loc.endCol, `cannot assign to loop variable '${s.target.name}'`);
        if (!s.target && spec.returns) this.warn(s.loc.line, s.callLoc.col, s.callLoc.endCol, `the ${spec.returns} ${s.call} creates is not kept in a handle`);
        break;
      }
      case 'expect':
      case 'print':
        this.checkExpr(s.expr, loopVars);
        break;
      default:
        break;
    }
  }

  private checkExpr(e: Expr, loopVars: string[]): void {
    const kinds = this.program.handleKinds;
    switch (e.kind) {
      case 'num':
      case 'str':
        return;
      case 'name': {
        const n = e.name;
        if (CONSTANT_NAMES.has(n) || loopVars.includes(n) || BUILTINS.has(n) || isZoneName(n) || !this.unknownHandle(n)) return;
        if (n === 'global') return;
        this.error(e.loc.line, e.loc.col, e.loc.endCol, `unknown name '${n}'`, 'unknown-name');
        return;
      }
      case 'index':
        if (this.unknownHandle(e.base)) this.error(e.loc.line, e.loc.col, e.loc.col + e.base.length, `unknown handle '${e.base}'`, 'unknown-handle');
        this.checkExpr(e.index, loopVars);
        return;
      case 'field': {
        const o = e.object;
        let fields: readonly string[] | undefined;
        let what = '';
        if (o.kind === 'name' && /^zone\d+$/.test(o.name)) { fields = ZONE_FIELDS; what = 'a zone'; }
        else if (o.kind === 'name' && o.name === 'global') { fields = GLOBAL_FIELDS; what = 'global'; }
        else if (o.kind === 'name' || o.kind === 'index') {
          const name = o.kind === 'name' ? o.name : o.base;
          const k = this.unknownHandle(name) ? undefined : kinds.get(name);
          if (!k) {
            this.checkExpr(o, loopVars);
            return;
          }
          if (o.kind === 'index') this.checkExpr(o.index, loopVars);
          fields = k === 'tag' ? TAG_FIELDS : MAP_FIELDS;
          what = `a ${k}`;
        } else {
          this.error(e.loc.line, e.loc.col, e.loc.endCol, 'only zones, tags, maps and global have fields');
          return;
        }
        if (!fields.includes(e.field)) {
          this.error(e.fieldLoc.line, e.fieldLoc.col, e.fieldLoc.endCol, `${what} has no field '${e.field}' (fields: ${fields.join(', ')})`, 'unknown-field');
        }
        return;
      }
      case 'unary':
        this.checkExpr(e.arg, loopVars);
        return;
      case 'binary':
        this.checkExpr(e.left, loopVars);
        this.checkExpr(e.right, loopVars);
        return;
    }
  }
}

/** A constant expression's value (numbers, named constants and arithmetic on them). */
export function constValue(e: Expr): bigint | undefined {
  switch (e.kind) {
    case 'num': return e.value;
    case 'name': return CONSTANT_NAMES.has(e.name) ? NAMED_CONSTANTS[e.name] : undefined;
    case 'binary': {
      const a = constValue(e.left);
      const b = constValue(e.right);
      if (a === undefined || b === undefined) return undefined;
      const M = 0xffff_ffff_ffff_ffffn;
      switch (e.op) {
        case '+': return (a + b) & M;
        case '-': return (a - b) & M;
        case '*': return (a * b) & M;
        case '|': return a | b;
        case '&': return a & b;
        case '<<': return b < 64n ? (a << b) & M : 0n;
        case '/': return b === 0n ? undefined : a / b;
        default: return undefined;
      }
    }
    default: return undefined;
  }
}

/** An expression that reads errno or cb_error: an `expect` on it checks the call before it. */
export function readsErrno(e: Expr): boolean {
  switch (e.kind) {
    case 'name': return e.name === 'errno' || e.name === 'cb_error';
    case 'field': return e.field === 'cb_error' || readsErrno(e.object);
    case 'unary': return readsErrno(e.arg);
    case 'binary': return readsErrno(e.left) || readsErrno(e.right);
    case 'index': return readsErrno(e.index);
    default: return false;
  }
}

export function formatDiagnostic(file: string, d: Diagnostic): string {
  return `${file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`;
}

/**
 * One expression typed by a user (debug console, watch, hover, breakpoint conditions), parsed
 * without the static name checks of a whole trace: names are resolved when it is evaluated.
 * Columns in the error are 1-based within `text`. (Added for the debug adapter.)
 */
export function parseExpression(text: string): { expr: Expr } | { error: string; col: number } {
  const toks = lexLine(text);
  const bad = toks.find((t) => t.error);
  if (bad) return { error: bad.error!, col: bad.col };
  if (toks.length === 0) return { error: 'expected an expression', col: 1 };
  const cur = new LineCursor(toks, 1, text);
  try {
    const expr = Parser.expressionOf(cur);
    const rest = cur.peek();
    if (rest) return { error: `unexpected '${rest.text}' after the expression`, col: rest.col };
    return { expr };
  } catch (e) {
    if (e instanceof ParseError) return { error: e.message, col: e.col };
    throw e;
  }
}

// The stepper: executes a parsed trace one statement at a time against the simulator core.
// The CLI runs it to the end; the debug adapter drives it tick by tick and travels in time
// through its snapshots (timetravel.ts). Everything here is deterministic.

import { CALL_NAMES, stmtLine, type PlainRows, type ArgValue, type CallStmt, type Expr, type HandleRef, type Loc, type Program, type RepeatStmt, type Stmt, type CallAtoms } from './ast';
import { EvalError, evaluate, formatValue, readsOf, truthy, type Scope, type Value } from './evaluate';
import {
  BusDma, InvariantError, KernelPanic, SimLimitError, type CoreEvent, type EventKind,
} from '../core/busdma';
import { BUS_DMA_COULD_BOUNCE, BUS_DMA_MIN_ALLOC_COMP, errnoName } from '../core/constants';
import { DEFAULT_KERNEL, type KernelId } from '../core/kernels';
import { cloneState, stateWeight, type DmaMap, type SimState, type Tag, type Zone } from '../core/state';
import { hex } from '../core/u64';
import { sysctlLines } from './sysctl';

export const DEFAULT_MAX_STEPS = 10_000_000;
export const KEEP_PER_KIND = 1000;

// Calls by their index in CALL_NAMES (rows and CallStmt.callIndex keep indexes).
const C_TAG_CREATE = CALL_NAMES.indexOf('bus_dma_tag_create');
const C_TAG_DESTROY = CALL_NAMES.indexOf('bus_dma_tag_destroy');
const C_MAP_CREATE = CALL_NAMES.indexOf('bus_dmamap_create');
const C_MAP_DESTROY = CALL_NAMES.indexOf('bus_dmamap_destroy');
const C_LOAD = CALL_NAMES.indexOf('bus_dmamap_load');
const C_UNLOAD = CALL_NAMES.indexOf('bus_dmamap_unload');
const C_SYNC = CALL_NAMES.indexOf('bus_dmamap_sync');
const C_THREAD = CALL_NAMES.indexOf('busdma_thread');

export interface LoopPosition {
  repeat: RepeatStmt;
  iter: number;
  count: number;
}

export interface TraceEvent extends CoreEvent {
  line: number;
  column: number;
  step: number;
  tick: number;
  /** The enclosing repeat iterations when it was raised (the position moves on after). */
  loops?: LoopPosition[];
}

export interface Handle {
  kind: 'tag' | 'map';
  id: number;            // 0 when the create failed
  errno: number;         // the create's errno
  line: number;
}

const NO_EVENTS: TraceEvent[] = Object.freeze([]) as unknown as TraceEvent[];
const NO_OUTPUT: OutputLine[] = Object.freeze([]) as unknown as OutputLine[];

export interface Frame {
  /** Statements, and at the top level rows of program.plain (see Program.top). */
  stmts: readonly (Stmt | number)[];
  pc: number;
  repeat?: RepeatStmt;
  iter: number;
  count: number;
}

export interface InterpState {
  frames: Frame[];
  handles: Map<string, Handle>;
  errno: number;
  cb_error: number;
  steps: number;
  tick: number;
  expects: { passed: number; failed: number };
  errnos: Record<string, number>;
  eventCounts: Record<string, number>;
  panic: { line: number; message: string } | null;
  fatal: { line: number; col: number; message: string } | null;
  finished: boolean;
  threadActive: boolean;
}

export interface Checkpoint {
  tick: number;
  core: SimState;
  interp: InterpState;
  weight: number;
}

export interface OutputLine {
  tick: number;
  line: number;
  text: string;
}

export interface TickResult {
  /** What ran: a statement, entering a repeat, the end-of-trace thread, or nothing (done). */
  kind: 'stmt' | 'enter' | 'finish' | 'none';
  stmt?: Stmt;
  events: TraceEvent[];
  output: OutputLine[];
}

export interface RunOptions {
  kernel?: KernelId;
  maxSteps?: number;
  /** Walk every map and page after every step (tests, fuzzing). The cheap checks always run. */
  fullInvariants?: boolean;
  /** Called after every step with the core, e.g. to record a timeline. */
  onStep?: (r: TraceRunner) => void;
}

export function cloneInterp(s: InterpState): InterpState {
  return {
    ...s,
    frames: s.frames.map((f) => ({ ...f })),
    handles: new Map(s.handles),
    expects: { ...s.expects },
    errnos: { ...s.errnos },
    eventCounts: { ...s.eventCounts },
  };
}

export class TraceRunner {
  readonly program: Program;
  readonly kernel: KernelId;
  readonly maxmem: bigint;
  core: BusDma;
  st: InterpState;
  readonly maxSteps: number;
  private readonly maxTicks: number;
  readonly fullInvariants: boolean;
  onStep?: (r: TraceRunner) => void;
  /** Every event ever raised, in order (kept across time travel: the run is deterministic). */
  readonly events: TraceEvent[] = [];
  readonly output: OutputLine[] = [];
  /** Highest tick whose events and output are already in the logs. */
  private logged = 0;
  // What the current tick raised and printed; most ticks raise nothing and share these empty
  // arrays (a tick allocates only when it has something to say).
  private tickEvents: TraceEvent[] = NO_EVENTS;
  private tickOutput: OutputLine[] = NO_OUTPUT;

  constructor(program: Program, opts: RunOptions = {}) {
    this.program = program;
    this.kernel = opts.kernel ?? (program.kernel?.id as KernelId | undefined) ?? DEFAULT_KERNEL;
    this.maxmem = program.machine.maxmem ?? 16n << 30n;
    this.maxSteps = opts.maxSteps ?? DEFAULT_MAX_STEPS;
    this.fullInvariants = !!opts.fullInvariants;
    this.onStep = opts.onStep;
    // A statement is preceded by at most one loop entry per nesting level: more ticks than
    // this means loops that run nothing, which --max-steps must stop as well.
    let depth = 0;
    const walk = (ss: readonly (Stmt | number)[], d: number) => {
      for (let i = 0; i < ss.length; i++) {
        const x = ss[i];
        if (typeof x !== 'number' && x.kind === 'repeat') { depth = Math.max(depth, d + 1); walk(x.body, d + 1); }
      }
    };
    const top = program.top ?? program.body;
    walk(top, 0);
    this.maxTicks = (this.maxSteps + 2) * (depth + 2) + 1000;
    this.core = new BusDma(this.kernel, this.maxmem);
    this.core.emit = (e) => this.raise(e);
    this.st = {
      frames: [{ stmts: top, pc: 0, iter: 0, count: 1 }],
      handles: new Map(),
      errno: 0,
      cb_error: 0,
      steps: 0,
      tick: 0,
      expects: { passed: 0, failed: 0 },
      errnos: {},
      eventCounts: {},
      panic: null,
      fatal: null,
      finished: false,
      threadActive: false,
    };
    this.normalize();
  }

  // ---- position ------------------------------------------------------------------------

  /** The statement that runs next, or undefined at the end of the trace. */
  current(): Stmt | undefined {
    const f = this.st.frames[this.st.frames.length - 1];
    if (!f) return undefined;
    const x = f.stmts[f.pc];
    if (typeof x !== 'number') return x;
    // A row of the top level: its statement lives while it is current, then is garbage.
    if (this.rowK !== x) {
      this.rowK = x;
      this.rowStmt = this.program.plain!.stmt(x);
    }
    return this.rowStmt;
  }
  private rowK = -1;
  private rowStmt: Stmt | undefined;

  get done(): boolean {
    return this.st.finished || this.st.panic !== null || this.st.fatal !== null;
  }

  /** Advance past finished blocks and loop iterations to the next statement to run. */
  private normalize(): void {
    const fr = this.st.frames;
    for (;;) {
      const f = fr[fr.length - 1];
      if (!f) return;
      if (f.pc < f.stmts.length) return;
      if (f.repeat && f.iter + 1 < f.count) {
        f.iter++;
        f.pc = 0;
        return;
      }
      if (fr.length === 1) return; // end of the trace: root frame exhausted
      fr.pop();
      fr[fr.length - 1].pc++;
    }
  }

  /** The repeat iterations around the next statement, outermost first. */
  loopPosition(): LoopPosition[] {
    const out: LoopPosition[] = [];
    const fr = this.st.frames;
    for (let i = 1; i < fr.length; i++) out.push({ repeat: fr[i].repeat!, iter: fr[i].iter, count: fr[i].count });
    return out;
  }

  // ---- events and output ---------------------------------------------------------------

  private curLoc(): Loc {
    const s = this.current();
    return s ? s.loc : { line: (this.lastLine ??= lineCount(this.program.source)), col: 1, endCol: 2 };
  }
  /** The trace's last line, where end-of-trace events point. */
  private lastLine?: number;

  private raise(e: CoreEvent): void {
    const loc = this.curLoc();
    const ev: TraceEvent = { ...e, line: e.line ?? loc.line, column: e.line ? 1 : loc.col, step: this.st.steps, tick: this.st.tick };
    if (this.st.frames.length > 1) ev.loops = this.loopPosition();
    const n = (this.st.eventCounts[e.kind] ?? 0) + 1;
    this.st.eventCounts[e.kind] = n;
    if (this.tickEvents === NO_EVENTS) this.tickEvents = [];
    this.tickEvents.push(ev);
    if (this.st.tick > this.logged && n <= KEEP_PER_KIND) this.events.push(ev);
  }

  private print(text: string): void {
    const o: OutputLine = { tick: this.st.tick, line: this.curLoc().line, text };
    if (this.tickOutput === NO_OUTPUT) this.tickOutput = [];
    this.tickOutput.push(o);
    if (this.st.tick > this.logged) this.output.push(o);
  }

  // ---- one tick ------------------------------------------------------------------------

  tick(): TickResult {
    this.tickEvents = NO_EVENTS;
    this.tickOutput = NO_OUTPUT;
    if (this.done) return { kind: 'none', events: [], output: [] };
    const stmt = this.current();
    const kind = this.advance(stmt, -1);
    if (kind === 'none') return { kind, stmt, events: [], output: [] };
    return { kind, stmt, events: this.tickEvents, output: this.tickOutput };
  }

  /**
   * One tick: `stmt`, or when `row` is not -1 (and `stmt` undefined) that row of the top
   * level, which then becomes a statement only if something needs one (an event's position,
   * an error).
   */
  private advance(stmt: Stmt | undefined, row: number): TickResult['kind'] {
    let kind: TickResult['kind'];
    this.st.tick++;
    try {
      if (row < 0 && !stmt) {
        kind = 'finish';
        this.finish();
      } else if (stmt?.kind === 'repeat') {
        kind = 'enter';
        // Loops that run no statement still spend time: they are bounded by --max-steps too.
        if (this.st.tick >= this.maxTicks) {
          this.st.fatal = {
            line: stmt.loc.line, col: stmt.loc.col,
            message: `stopped after ${this.st.tick - 1} loop entries and statements (--max-steps ${this.maxSteps}); the trace is longer than that`,
          };
          this.st.tick--;
          return 'none';
        }
        this.enterRepeat(stmt);
      } else {
        kind = 'stmt';
        if (this.st.steps >= this.maxSteps) return this.stopAtSteps(stmt ?? this.current()!);
        this.st.steps++;
        if (row >= 0) {
          const rows = this.program.plain!;
          this.core.line = rows.lineOf(row);
          this.execRow(rows, row);
        } else {
          const s = stmt!;
          this.core.line = stmtLine(s);
          this.exec(s);
          if (s.kind === 'call') s.drop();
        }
        this.core.checkInvariants(this.fullInvariants);
        this.st.frames[this.st.frames.length - 1].pc++;
        this.normalize();
        this.onStep?.(this);
      }
    } catch (e) {
      if (e instanceof KernelPanic) {
        const loc = stmt ? stmt.loc : this.curLoc();
        this.rewindOneStep();
        this.st.panic = { line: loc.line, message: e.message };
        this.raise({ kind: 'panic', message: `panic: ${e.message}` });
        kind = 'stmt';
      } else if (e instanceof EvalError || e instanceof SimLimitError) {
        const loc = (e instanceof EvalError && e.loc) || (stmt ? stmt.loc : this.curLoc());
        this.st.fatal = { line: loc.line, col: loc.col, message: e.message };
        kind = 'stmt';
      } else {
        throw e;
      }
    }
    if (this.st.tick > this.logged) this.logged = this.st.tick;
    return kind;
  }

  private stopAtSteps(stmt: Stmt): 'none' {
    this.st.fatal = {
      line: stmt.loc.line, col: stmt.loc.col,
      message: `stopped after ${this.maxSteps} steps (--max-steps); the trace is longer than that`,
    };
    this.st.tick--;
    return 'none';
  }

  /** A panic leaves the state of before its statement: replay the trace up to there. */
  private rewindOneStep(): void {
    const target = this.st.tick - 1;
    const fresh = new TraceRunner(this.program, { kernel: this.kernel, maxSteps: this.maxSteps });
    fresh.logged = Number.MAX_SAFE_INTEGER;
    while (fresh.st.tick < target && !fresh.done) fresh.tick();
    const counts = this.st.eventCounts;
    this.core = fresh.core;
    this.core.emit = (e) => this.raise(e);
    this.st = fresh.st;
    this.st.eventCounts = counts;
    this.st.tick = target + 1;
  }

  /** tick() until done, with no result objects, and rows run without becoming statements. */
  runToEnd(): void {
    while (!this.done) {
      this.tickEvents = NO_EVENTS;
      this.tickOutput = NO_OUTPUT;
      const f = this.st.frames[this.st.frames.length - 1];
      const x = f.stmts[f.pc];
      if (typeof x === 'number') this.advance(undefined, x);
      else this.advance(this.current(), -1);
    }
  }

  private enterRepeat(r: RepeatStmt): void {
    const v = this.evalNum(r.count, 'a repeat count');
    const count = v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
    const parent = this.st.frames[this.st.frames.length - 1];
    if (count === 0 || r.body.length === 0) {
      parent.pc++;
    } else {
      this.st.frames.push({ stmts: r.body, pc: 0, repeat: r, iter: 0, count });
    }
    this.normalize();
  }

  /** The end of the trace: the busdma thread runs once more, then what still waits stalls. */
  private finish(): void {
    this.runThread(false);
    for (const m of this.core.stalledMaps()) {
      const z = this.core.zoneOf(this.core.state.tags.get(m.dmat)!);
      this.raise({
        kind: 'stall', line: m.queuedLine, map: m.label, zone: z?.name,
        message: `the deferred load of map ${m.label} never completes: it still waits for ${m.pagesneeded - m.pagesreserved} of ${m.pagesneeded} bounce pages in ${z?.name ?? '?'} and nothing will free them`,
      });
    }
    this.st.finished = true;
  }

  // ---- statements ----------------------------------------------------------------------

  private exec(s: Stmt): void {
    switch (s.kind) {
      case 'call':
        return this.execCall(s);
      case 'expect': {
        const v = this.eval(s.expr);
        if (truthy(v)) {
          this.st.expects.passed++;
        } else {
          this.st.expects.failed++;
          const vals = readsOf(s.expr).map((r) => {
            try {
              return `${exprText(this.program.source, r.loc)} = ${formatValue(this.eval(r))}`;
            } catch {
              return undefined;
            }
          }).filter((x): x is string => !!x);
          const uniq = [...new Set(vals)];
          this.raise({
            kind: 'expect',
            message: `expect failed: ${s.source}${uniq.length ? ` (${uniq.join(', ')})` : ''}${s.message ? `: ${s.message}` : ''}`,
          });
        }
        return;
      }
      case 'print':
        this.print(this.describe(s.expr, s.source));
        return;
      case 'log':
        this.print(s.text);
        return;
      case 'sysctl':
        for (const l of sysctlLines(this.core.state, s.prefix)) this.print(l);
        return;
      case 'repeat':
        return;
    }
  }

  private execCall(s: CallStmt): void {
    // The arguments straight from the parser when the line allows, else from the trees; the
    // calls below read them in the same order either way (test/runner-paths.test.ts).
    const atoms = s.atoms();
    const rd: ArgReader = atoms ? this.atomReader.of(atoms) : this.treeReader.of(s);
    // Only creates assign, and they name their target before reading anything else.
    const key = s.target ? this.targetKey(s.target) : undefined;
    this.runCall(s.callIndex, rd, key, -1, s.line, s.checked);
  }

  /** Row k of the top level, read from the rows (see PlainRows), with no statement made. */
  private execRow(rows: PlainRows, k: number): void {
    const atoms = rows.atoms(k);
    if (!atoms) {
      // No atoms to read (a line the fast path cannot keep): the statement's trees, then.
      const s = this.current() as CallStmt;
      this.execCall(s);
      s.drop();
      return;
    }
    this.runCall(rows.callIndex(k), this.atomReader.of(atoms), rows.targetName(k), rows.targetId(k), rows.lineOf(k), rows.checked(k));
  }

  /**
   * Call `call` (an index in CALL_NAMES) of line `line`, its arguments read by `rd`; `key` is
   * the handle it assigns to (keyId its identifier id, or -1); `checked`: an expect follows.
   */
  private runCall(call: number, rd: ArgReader, key: string | undefined, keyId: number, line: number, checked: boolean): void {
    const core = this.core;
    let errno = 0;
    let cbError: number | null = null;
    switch (call) {
      case C_TAG_CREATE: {
        let parent: number | undefined;
        const pk = rd.namedKey('parent');
        if (pk !== undefined) {
          parent = this.handleId(pk, 'tag');
          if (parent === undefined) { this.bindFailed(key, keyId, 'tag', 22, line); return this.afterCall(call, checked, 0, null); }
        }
        const nseg = rd.named('nsegments');
        if (nseg !== undefined && nseg > 0xffff_ffffn) {
          throw new EvalError(`nsegments ${nseg} does not fit the kernel's u_int`, rd.namedLoc('nsegments'));
        }
        const r = core.bus_dma_tag_create({
          parent, alignment: rd.named('alignment'), boundary: rd.named('boundary'), lowaddr: rd.named('lowaddr'),
          highaddr: rd.named('highaddr'), maxsize: rd.named('maxsize'), nsegments: nseg, maxsegsz: rd.named('maxsegsz'),
          flags: rd.named('flags'),
        }, key ?? '(unnamed)');
        errno = r.errno;
        if (key) this.setHandle(key, keyId, { kind: 'tag', id: r.id ?? 0, errno, line });
        break;
      }
      case C_TAG_DESTROY: {
        const t = this.posHandle(rd, 0, 'tag');
        if (t !== undefined) errno = core.bus_dma_tag_destroy(t);
        break;
      }
      case C_MAP_CREATE: {
        const t = this.posHandle(rd, 0, 'tag');
        if (t === undefined) { this.bindFailed(key, keyId, 'map', 22, line); return this.afterCall(call, checked, 0, null); }
        const r = core.bus_dmamap_create(t, key ?? '(unnamed)');
        errno = r.errno;
        if (key) this.setHandle(key, keyId, { kind: 'map', id: r.id ?? 0, errno, line });
        break;
      }
      case C_MAP_DESTROY: {
        const t = this.posHandle(rd, 0, 'tag');
        const m = this.posHandle(rd, 1, 'map');
        if (t !== undefined && m !== undefined) errno = core.bus_dmamap_destroy(t, m);
        break;
      }
      case C_LOAD: {
        const t = this.posHandle(rd, 0, 'tag');
        const m = this.posHandle(rd, 1, 'map');
        const bufs = rd.buffers(2);
        const fv = rd.named('flags');
        const flags = fv !== undefined ? Number(BigInt.asUintN(32, fv)) : 0;
        if (t !== undefined && m !== undefined) {
          const r = core.bus_dmamap_load(t, m, bufs, flags);
          errno = r.errno;
          cbError = r.cb_error;
          this.st.cb_error = r.cb_error ?? 0;
        }
        break;
      }
      case C_UNLOAD: {
        const t = this.posHandle(rd, 0, 'tag');
        const m = this.posHandle(rd, 1, 'map');
        if (t !== undefined && m !== undefined) core.bus_dmamap_unload(t, m);
        break;
      }
      case C_SYNC: {
        const t = this.posHandle(rd, 0, 'tag');
        const m = this.posHandle(rd, 1, 'map');
        const op = Number(BigInt.asUintN(32, rd.num(2, 'the sync ops')));
        if (t !== undefined && m !== undefined) core.bus_dmamap_sync(t, m, op);
        break;
      }
      case C_THREAD:
        this.runThread(checked);
        break;
    }
    this.afterCall(call, checked, errno, cbError);
  }

  /** Reads a call's arguments from its trees, evaluating them as expressions. */
  private readonly treeReader = new TreeReader(this);
  /** Reads them from the parser's atoms (numbers and constants only, see CallAtoms). */
  private readonly atomReader = new AtomReader();

  /** `checked`: the busdma_thread call running it is followed by an expect (false at the end). */
  private runThread(checked: boolean): void {
    this.st.threadActive = true;
    try {
      this.core.busdma_thread((m, r) => {
        this.st.cb_error = r.cb_error ?? 0;
        if (r.cb_error && !checked) {
          this.raise({
            kind: 'error', map: m.label,
            message: `the deferred load of map ${m.label}, replayed by the busdma thread, called back with ${errnoName(r.cb_error)}`,
          });
        }
      });
    } finally {
      this.st.threadActive = false;
    }
  }

  private afterCall(call: number, checked: boolean, errno: number, cbError: number | null): void {
    this.st.errno = errno;
    if (errno !== 0) {
      const n = errnoName(errno);
      this.st.errnos[n] = (this.st.errnos[n] ?? 0) + 1;
    }
    if (checked) return;
    if (errno !== 0) {
      this.raise({ kind: 'error', message: `${CALL_NAMES[call]} returned ${errnoName(errno)} and no expect on the next line checks it` });
    } else if (cbError) {
      this.raise({ kind: 'error', message: `${CALL_NAMES[call]} called back with ${errnoName(cbError)} (the load returned 0) and no expect on the next line checks it` });
    }
  }

  private bindFailed(key: string | undefined, keyId: number, kind: 'tag' | 'map', errno: number, line: number): void {
    if (key) this.setHandle(key, keyId, { kind, id: 0, errno, line });
  }

  posExpr(a: ArgValue | undefined): Expr {
    if (!a || a.kind === 'buffers') throw new EvalError('missing argument');
    return a;
  }

  // ---- handles -------------------------------------------------------------------------

  private targetKey(t: HandleRef | undefined): string | undefined {
    if (!t) return undefined;
    if (!t.index) return t.name;
    return `${t.name}[${this.evalNum(t.index, 'an index')}]`;
  }

  /** The key a handle expression names: `rx` or `rx[3]`. */
  handleKey(e: Expr): string {
    if (e.kind === 'name') return e.name;
    if (e.kind === 'index') return `${e.base}[${this.evalNum(e.index, 'an index')}]`;
    throw new EvalError('expected a handle', e.loc);
  }

  // Handles by the parser's identifier id, for plain calls: the same names come back on every
  // line of a long trace. An entry holds while hcGen is unchanged: a change of st.handles
  // bumps it (a create of a plain name rewrites its own entry instead), and so does a new st
  // or a new core state (restore, rewind), noticed by identity. With the handle it keeps the
  // tag or map it named when read (hcObj), which stays the same object while the state does.
  private hcMap?: Map<string, Handle>;
  private hcState?: SimState;
  private hcGen = 1;
  private hcAt = new Int32Array(64);
  private hcVal: (Handle | undefined)[] = [];
  private hcObj: (Tag | DmaMap | undefined)[] = [];

  private setHandle(key: string, keyId: number, h: Handle): void {
    this.st.handles.set(key, h);
    if (keyId >= 0 && this.hcMap === this.st.handles && this.hcState === this.core.state) {
      // Only this name changed: the other entries still hold.
      this.hcSlot(keyId);
      this.hcAt[keyId] = this.hcGen;
      this.hcVal[keyId] = h;
      this.hcObj[keyId] = undefined;
    } else {
      this.hcGen++;
    }
  }

  private hcSlot(id: number): void {
    if (id >= this.hcAt.length) {
      const at = new Int32Array(Math.max(this.hcAt.length * 2, id + 1));
      at.set(this.hcAt);
      this.hcAt = at;
    }
  }

  /** The handle `key` names; with id >= 0 its cache entry is valid afterwards. */
  private lookupHandle(key: string, id: number): Handle | undefined {
    const hs = this.st.handles;
    if (id < 0) return hs.get(key);
    if (hs !== this.hcMap || this.core.state !== this.hcState) {
      this.hcMap = hs;
      this.hcState = this.core.state;
      this.hcGen++;
    }
    if (id < this.hcAt.length && this.hcAt[id] === this.hcGen) return this.hcVal[id];
    const h = hs.get(key);
    this.hcSlot(id);
    this.hcAt[id] = this.hcGen;
    this.hcVal[id] = h;
    this.hcObj[id] = undefined;
    return h;
  }

  /** The live object id a handle key names (id: its identifier id, or -1), or undefined after raising `misuse`. */
  private handleId(key: string, kind: 'tag' | 'map', id = -1): number | undefined {
    const h = this.lookupHandle(key, id);
    if (!h) {
      this.raise({ kind: 'misuse', [kind]: key, message: `${kind} ${key} was never created` });
      return undefined;
    }
    if (h.kind !== kind) {
      this.raise({ kind: 'misuse', message: `${key} holds a ${h.kind}, not a ${kind}` });
      return undefined;
    }
    if (h.id === 0) {
      this.raise({ kind: 'misuse', [kind]: key, message: `${key} holds no ${kind}: its create at line ${h.line} failed with ${errnoName(h.errno)}` });
      return undefined;
    }
    let obj = id >= 0 ? this.hcObj[id] : undefined;
    if (obj === undefined) {
      obj = kind === 'tag' ? this.core.state.tags.get(h.id) : this.core.state.maps.get(h.id);
      // Kept while the entry holds: the core marks a tag or map destroyed before dropping it.
      if (id >= 0) this.hcObj[id] = obj;
    }
    if (!obj || obj.destroyed) {
      this.raise({ kind: 'misuse', [kind]: key, message: `${kind} ${key} is already destroyed` });
      return undefined;
    }
    return h.id;
  }

  /** The live object id positional argument i names (see handleId). */
  private posHandle(rd: ArgReader, i: number, kind: 'tag' | 'map'): number | undefined {
    return this.handleId(rd.key(i), kind, rd.keyId(i));
  }

  // ---- expressions ---------------------------------------------------------------------

  eval(e: Expr, extra?: Record<string, Value>): Value {
    // Numbers need no scope: most call arguments are literals.
    if (e.kind === 'num') return e.value;
    if (extra) return evaluate(e, this.scope(extra));
    return evaluate(e, (this.plainScope ??= this.scope()));
  }

  private plainScope?: Scope;

  evalNum(e: Expr, what: string): bigint {
    const v = this.eval(e);
    if (typeof v !== 'bigint') throw new EvalError(`${what} must be a number, got "${v}"`, e.loc);
    return v;
  }

  zoneByName(name: string): Zone | undefined {
    const m = /^zone(\d+)$/.exec(name);
    if (!m) return undefined;
    return this.core.state.zones.find((z) => z.name === name);
  }

  /** Resolve a handle key to its live (or kernel-held) object. */
  object(key: string): { kind: 'tag'; tag: Tag } | { kind: 'map'; map: DmaMap } | { error: string } {
    const h = this.st.handles.get(key);
    if (!h) return { error: `${key} was never created` };
    if (h.id === 0) return { error: `${key} holds no ${h.kind}: its create at line ${h.line} failed with ${errnoName(h.errno)}` };
    if (h.kind === 'tag') {
      const t = this.core.state.tags.get(h.id);
      if (!t || t.destroyed) return { error: `tag ${key} is destroyed` };
      return { kind: 'tag', tag: t };
    }
    const m = this.core.state.maps.get(h.id);
    if (!m || m.destroyed) return { error: `map ${key} is destroyed` };
    return { kind: 'map', map: m };
  }

  scope(extra?: Record<string, Value>): Scope {
    return {
      name: (name, loc) => {
        if (extra && Object.prototype.hasOwnProperty.call(extra, name)) return extra[name];
        for (let i = this.st.frames.length - 1; i >= 0; i--) {
          const f = this.st.frames[i];
          if (f.repeat?.var === name) return BigInt(f.iter);
        }
        switch (name) {
          case 'errno': return BigInt(this.st.errno);
          case 'cb_error': return BigInt(this.st.cb_error);
          case 'leaked_bpages': return BigInt(this.core.leakedBpages());
          case 'steps': return BigInt(this.st.steps);
        }
        if (/^zone\d+$/.test(name)) {
          if (!this.zoneByName(name)) throw new EvalError(`${name} does not exist (yet)`, loc);
          return name;
        }
        if (this.st.handles.has(name)) throw new EvalError(`'${name}' is a ${this.st.handles.get(name)!.kind}: read one of its fields, e.g. ${name}.map_count`, loc);
        return undefined;
      },
      indexed: (base, index, loc) => {
        throw new EvalError(`'${base}[${index}]' is a handle: read one of its fields`, loc);
      },
      field: (o, field, loc) => this.fieldOf(o, field, loc),
    };
  }

  private fieldOf(o: Expr, field: string, loc: Loc): Value {
    if (o.kind === 'name' && o.name === 'global') {
      if (field === 'total_bpages') return BigInt(this.core.state.total_bpages);
      if (field === 'zone_count') return BigInt(this.core.state.busdma_zonecount);
      throw new EvalError(`global has no field '${field}'`, loc);
    }
    if (o.kind === 'name' && /^zone\d+$/.test(o.name)) {
      const z = this.zoneByName(o.name);
      if (!z) throw new EvalError(`${o.name} does not exist (yet)`, o.loc);
      return zoneField(z, field, this.kernel, loc);
    }
    if (o.kind !== 'name' && o.kind !== 'index') throw new EvalError('only zones, tags, maps and global have fields', loc);
    const key = this.handleKey(o);
    const obj = this.object(key);
    if ('error' in obj) throw new EvalError(obj.error, o.loc);
    if (obj.kind === 'tag') return tagField(this.core, obj.tag, field, loc);
    return mapField(obj.map, field, loc);
  }

  /** `print` of an expression: whole objects for a zone or a handle, else the value. */
  describe(e: Expr, source: string): string {
    if (e.kind === 'name' && /^zone\d+$/.test(e.name)) {
      const z = this.zoneByName(e.name);
      if (!z) throw new EvalError(`${e.name} does not exist (yet)`, e.loc);
      const fv = (f: string) => (f === 'refcount' && z.refcount === null ? '-' : formatValue(zoneField(z, f, this.kernel, e.loc), f === 'lowaddr'));
      return `${z.name}: ${ZONE_PRINT.map((f) => `${f}=${fv(f)}`).join(' ')}${z.destroyed ? ' (destroyed)' : ''}`;
    }
    if ((e.kind === 'name' && this.st.handles.has(e.name)) || e.kind === 'index') {
      const key = this.handleKey(e);
      const obj = this.object(key);
      if ('error' in obj) throw new EvalError(obj.error, e.loc);
      if (obj.kind === 'tag') {
        return `tag ${key}: ${TAG_PRINT.map((f) => `${f}=${formatValue(tagField(this.core, obj.tag, f, e.loc), HEX_FIELDS.has(f))}`).join(' ')}`;
      }
      return `map ${key}: ${MAP_PRINT.map((f) => `${f}=${formatValue(mapField(obj.map, f, e.loc))}`).join(' ')}`;
    }
    const v = this.eval(e);
    return `${source} = ${formatValue(v)}`;
  }

  // ---- snapshots -----------------------------------------------------------------------

  snapshot(): Checkpoint {
    const core = cloneState(this.core.state);
    return { tick: this.st.tick, core, interp: cloneInterp(this.st), weight: stateWeight(core) + this.st.handles.size / 4 };
  }

  restore(c: Checkpoint): void {
    this.core.state = cloneState(c.core);
    this.st = cloneInterp(c.interp);
  }
}

const HEX_FIELDS = new Set(['lowaddr', 'highaddr', 'boundary', 'maxsize', 'maxsegsz', 'alignment']);
const ZONE_PRINT = ['total_bpages', 'free_bpages', 'reserved_bpages', 'active_bpages', 'total_bounced', 'total_deferred', 'map_count', 'refcount', 'tags', 'lowaddr', 'alignment'];
const TAG_PRINT = ['bounce_zone', 'map_count', 'lowaddr', 'highaddr', 'alignment', 'boundary', 'maxsize', 'nsegments', 'maxsegsz', 'could_bounce', 'min_alloc_comp', 'maxpages'];
const MAP_PRINT = ['state', 'pagesneeded', 'pagesreserved', 'bpages', 'cb_error', 'nsegs'];

export function zoneField(z: Zone, field: string, kernel: KernelId, loc?: Loc): Value {
  switch (field) {
    case 'total_bpages': return BigInt(z.total_bpages);
    case 'free_bpages': return BigInt(z.free_bpages);
    case 'reserved_bpages': return BigInt(z.reserved_bpages);
    case 'active_bpages': return BigInt(z.active_bpages);
    case 'total_bounced': return BigInt(z.total_bounced);
    case 'total_deferred': return BigInt(z.total_deferred);
    case 'map_count': return BigInt(z.map_count);
    case 'lowaddr': return z.lowaddr;
    case 'alignment': return z.alignment;
    case 'domain': return BigInt(z.domain);
    case 'tags': return BigInt(z.tags);
    case 'destroyed': return z.destroyed ? 1n : 0n;
    case 'refcount':
      if (z.refcount === null) throw new EvalError(`zones have no refcount in kernel ${kernel}`, loc);
      return BigInt(z.refcount);
  }
  throw new EvalError(`a zone has no field '${field}'`, loc);
}

export function tagField(core: BusDma, t: Tag, field: string, loc?: Loc): Value {
  switch (field) {
    case 'map_count': return BigInt(t.map_count);
    case 'lowaddr': return t.lowaddr;
    case 'highaddr': return t.highaddr;
    case 'alignment': return t.alignment;
    case 'boundary': return t.boundary;
    case 'maxsize': return t.maxsize;
    case 'nsegments': return BigInt(t.nsegments);
    case 'maxsegsz': return t.maxsegsz;
    case 'flags': return BigInt(t.flags);
    case 'bounce_zone': return t.zone >= 0 ? core.state.zones[t.zone].name : 'NULL';
    case 'could_bounce': return t.bounce_flags & BUS_DMA_COULD_BOUNCE ? 1n : 0n;
    case 'min_alloc_comp': return t.bounce_flags & BUS_DMA_MIN_ALLOC_COMP ? 1n : 0n;
    case 'maxpages': return BigInt(t.maxpages);
  }
  throw new EvalError(`a tag has no field '${field}'`, loc);
}

export function mapState(m: DmaMap): string {
  if (m.queue === 'waiting') return 'waiting';
  if (m.queue === 'callback') return 'callback';
  return m.loaded || m.bpages.length ? 'loaded' : 'idle';
}

export function mapField(m: DmaMap, field: string, loc?: Loc): Value {
  switch (field) {
    case 'pagesneeded': return BigInt(m.pagesneeded);
    case 'pagesreserved': return BigInt(m.pagesreserved);
    case 'bpages': return BigInt(m.bpages.length);
    case 'state': return mapState(m);
    case 'cb_error': return BigInt(m.cb_error);
    case 'nsegs': return BigInt(m.segs.length);
  }
  throw new EvalError(`a map has no field '${field}'`, loc);
}

/** Lines of `source` as split('\n') counts them, without making a string of each (at least 1). */
function lineCount(source: string): number {
  let n = 1;
  for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) n++;
  return n;
}

function exprText(source: string, loc: Loc): string {
  // Lines are short; find the line by counting newlines only for failed expects.
  let start = 0;
  for (let l = 1; l < loc.line; l++) start = source.indexOf('\n', start) + 1;
  const end = source.indexOf('\n', start);
  const line = source.slice(start, end < 0 ? undefined : end);
  return line.slice(loc.col - 1, loc.endCol - 1);
}

export type { EventKind };
export { InvariantError };

/** How execCall reads a call's arguments. */
interface ArgReader {
  /** Positional argument i as a handle key (`rx`, `rx[3]`). */
  key(i: number): string;
  /** A number for that key, the same for the same name in one parse; -1 when there is none. */
  keyId(i: number): number;
  /** Positional argument i as a number. */
  num(i: number, what: string): bigint;
  /** Positional argument i as buffers; an EvalError for one past 2^64. */
  buffers(i: number): { paddr: bigint; len: bigint }[];
  /** Named argument k as a number, or undefined when absent. */
  named(k: string): bigint | undefined;
  /** Named argument k as a handle key, or undefined when absent. */
  namedKey(k: string): string | undefined;
  namedLoc(k: string): Loc | undefined;
}

const END_OF_SPACE = 1n << 64n;

/** A buffer, or an EvalError at `at.loc` (read only then) for one that runs past 2^64. */
function checkedBuffer(paddr: bigint, len: bigint, at: { readonly loc: Loc }): { paddr: bigint; len: bigint } {
  if (paddr + len > END_OF_SPACE) throw new EvalError(`buffer ${hex(paddr)}:${len} runs past the end of the 64-bit address space`, at.loc);
  return { paddr, len };
}

class TreeReader implements ArgReader {
  private s!: CallStmt;
  constructor(private readonly r: TraceRunner) {}
  of(s: CallStmt): this {
    this.s = s;
    return this;
  }
  private namedExpr(k: string): Expr | undefined {
    return this.s.named.find((a) => a.name === k)?.value;
  }
  key(i: number): string {
    return this.r.handleKey(this.r.posExpr(this.s.positional[i]));
  }
  keyId(): number {
    return -1;
  }
  num(i: number, what: string): bigint {
    return this.r.evalNum(this.r.posExpr(this.s.positional[i]), what);
  }
  buffers(i: number): { paddr: bigint; len: bigint }[] {
    const a = this.s.positional[i];
    if (!a || a.kind !== 'buffers') throw new EvalError('missing buffer');
    return a.buffers.map((b) => checkedBuffer(this.r.evalNum(b.paddr, 'a buffer address'), this.r.evalNum(b.len, 'a buffer length'), b));
  }
  named(k: string): bigint | undefined {
    const e = this.namedExpr(k);
    return e ? this.r.evalNum(e, k) : undefined;
  }
  namedKey(k: string): string | undefined {
    const e = this.namedExpr(k);
    return e ? this.r.handleKey(e) : undefined;
  }
  namedLoc(k: string): Loc | undefined {
    return this.namedExpr(k)?.loc;
  }
}

class AtomReader implements ArgReader {
  private a!: CallAtoms;
  of(a: CallAtoms): this {
    this.a = a;
    return this;
  }
  key(i: number): string {
    return this.a.name(i);
  }
  keyId(i: number): number {
    return this.a.nameId(i);
  }
  num(i: number): bigint {
    return this.a.value(i);
  }
  buffers(i: number): { paddr: bigint; len: bigint }[] {
    const a = this.a;
    this.bufIndex = i;
    return [checkedBuffer(a.value(i), a.bufLen(i), this)];
  }
  /** The buffer argument read last, for checkedBuffer's error. */
  private bufIndex = 0;
  get loc(): Loc {
    return this.a.bufLoc(this.bufIndex);
  }
  named(k: string): bigint | undefined {
    const j = this.a.namedIndex(k);
    return j < 0 ? undefined : this.a.namedValue(j);
  }
  namedKey(k: string): string | undefined {
    const j = this.a.namedIndex(k);
    return j < 0 ? undefined : this.a.namedName(j);
  }
  namedLoc(k: string): Loc | undefined {
    const j = this.a.namedIndex(k);
    return j < 0 ? undefined : this.a.namedLoc(j);
  }
}

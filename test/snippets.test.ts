// snippets/busdma.json: every call has a snippet, every body expands (with every choice) to
// lines the parser accepts and the grammar colours without `invalid.illegal`, and the
// multi-statement shapes run on the simulator as their comments say.
//
// Paths are relative to the repository root: `node --test` runs from there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from '../src/trace/parser';
import { TraceRunner } from '../src/trace/runner';
import { buildReport, type RunReport } from '../src/trace/report';
import type { KernelId } from '../src/core/kernels';

const ROOT = process.cwd();
const SNIPPETS_PATH = path.join(ROOT, 'snippets', 'busdma.json');
const GRAMMAR_PATH = path.join(ROOT, 'syntaxes', 'busdma.tmLanguage.json');

const CALL_NAMES = [
  'bus_dma_tag_create',
  'bus_dma_tag_destroy',
  'bus_dmamap_create',
  'bus_dmamap_destroy',
  'bus_dmamap_load',
  'bus_dmamap_unload',
  'bus_dmamap_sync',
  'busdma_thread',
];

interface Snippet {
  prefix: string | string[];
  body: string | string[];
  description: string;
}

function loadSnippets(): Record<string, Snippet> {
  return JSON.parse(fs.readFileSync(SNIPPETS_PATH, 'utf8'));
}

function bodyText(s: Snippet): string {
  return Array.isArray(s.body) ? s.body.join('\n') : s.body;
}

// ---- a small parser for the VS Code snippet syntax the file uses ----

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'tabstop'; n: number }
  | { kind: 'placeholder'; n: number; children: Node[] }
  | { kind: 'choice'; n: number; options: string[] };

function parseSnippet(src: string): Node[] {
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`${msg} at offset ${i} of ${JSON.stringify(src)}`);
  };
  const nodes = (inPlaceholder: boolean): Node[] => {
    const out: Node[] = [];
    let text = '';
    const flush = () => {
      if (text) out.push({ kind: 'text', text });
      text = '';
    };
    while (i < src.length) {
      const c = src[i];
      if (c === '\\' && i + 1 < src.length && '$}\\'.includes(src[i + 1])) {
        text += src[i + 1];
        i += 2;
      } else if (c === '}' && inPlaceholder) {
        break;
      } else if (c === '$') {
        let m: RegExpExecArray | null;
        const rest = src.slice(i);
        if ((m = /^\$(\d+)/.exec(rest)) || (m = /^\$\{(\d+)\}/.exec(rest))) {
          flush();
          out.push({ kind: 'tabstop', n: Number(m[1]) });
          i += m[0].length;
        } else if ((m = /^\$\{(\d+)\|((?:[^|\\]|\\.)*)\|\}/.exec(rest))) {
          flush();
          const options = m[2].split(/(?<!\\),/).map((o) => o.replace(/\\(.)/g, '$1'));
          out.push({ kind: 'choice', n: Number(m[1]), options });
          i += m[0].length;
        } else if ((m = /^\$\{(\d+):/.exec(rest))) {
          flush();
          i += m[0].length;
          const children = nodes(true);
          if (src[i] !== '}') fail('unclosed placeholder');
          i++;
          out.push({ kind: 'placeholder', n: Number(m[1]), children });
        } else {
          fail('a `$` that is neither a tab stop nor escaped (variables are not used in these snippets)');
        }
      } else {
        text += c;
        i++;
      }
    }
    flush();
    return out;
  };
  const result = nodes(false);
  if (i !== src.length) fail('unbalanced `}`');
  return result;
}

function walkNodes(nodes: Node[], f: (n: Node) => void): void {
  for (const n of nodes) {
    f(n);
    if (n.kind === 'placeholder') walkNodes(n.children, f);
  }
}

/** The choices of a snippet, by tab stop. */
function choicesOf(nodes: Node[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  walkNodes(nodes, (n) => {
    if (n.kind === 'choice') out.set(n.n, n.options);
  });
  return out;
}

/** The text VS Code inserts when the user accepts every default, with `picks` choosing
 * options and `overrides` replacing whole tab stops (a mirror `$n` repeats tab stop n). */
function expand(nodes: Node[], picks = new Map<number, number>(), overrides = new Map<number, string>()): string {
  const defaults = new Map<number, string>();
  const render = (list: Node[]): string =>
    list
      .map((n) => {
        if (n.kind === 'text') return n.text;
        if (overrides.has(n.n)) return overrides.get(n.n)!;
        if (n.kind === 'choice') return n.options[picks.get(n.n) ?? 0];
        if (n.kind === 'placeholder') return render(n.children);
        return defaults.get(n.n) ?? '';
      })
      .join('');
  // First pass: what each tab stop holds, so that mirrors copy it.
  walkNodes(nodes, (n) => {
    if ((n.kind === 'choice' || n.kind === 'placeholder') && !defaults.has(n.n)) {
      defaults.set(n.n, overrides.get(n.n) ?? (n.kind === 'choice' ? n.options[picks.get(n.n) ?? 0] : render(n.children)));
    }
  });
  return render(nodes);
}

/** One expansion with all defaults, then one per non-default option of every choice. */
function expansions(s: Snippet): string[] {
  const nodes = parseSnippet(bodyText(s));
  const out = [expand(nodes)];
  for (const [n, options] of choicesOf(nodes)) {
    for (let k = 1; k < options.length; k++) out.push(expand(nodes, new Map([[n, k]])));
  }
  return out;
}

/** Strings and comments removed, so brackets inside them do not count. */
function codeOf(line: string): string {
  return line.replace(/"(?:[^"\\]|\\.)*"?/g, '""').replace(/#.*$/, '');
}

function checkBrackets(text: string): string | undefined {
  let depth = 0;
  for (const [k, raw] of text.split('\n').entries()) {
    const line = codeOf(raw).trim();
    const stack: string[] = [];
    for (const c of line) {
      if (c === '(' || c === '[') stack.push(c === '(' ? ')' : ']');
      else if (c === ')' || c === ']') {
        if (stack.pop() !== c) return `line ${k + 1}: unbalanced '${c}' in ${raw}`;
      }
    }
    if (stack.length) return `line ${k + 1}: unclosed bracket in ${raw}`;
    // One statement per line: '{' only ends a repeat line, '}' stands alone.
    if (line.includes('{')) {
      if (!/^repeat\b.*\{$/.test(line) || line.indexOf('{') !== line.length - 1) return `line ${k + 1}: stray '{' in ${raw}`;
      depth++;
    }
    if (line.includes('}')) {
      if (line !== '}') return `line ${k + 1}: '}' must stand alone: ${raw}`;
      if (--depth < 0) return `line ${k + 1}: '}' without a repeat`;
    }
  }
  return depth === 0 ? undefined : 'unclosed repeat block';
}

/** Handles the single-call snippets refer to without creating them. */
const PREAMBLE = ['parent = bus_dma_tag_create()', 'tag = bus_dma_tag_create(parent: parent)', 'map = bus_dmamap_create(tag)', 'other_map = bus_dmamap_create(tag)'];

function parseErrors(text: string): string[] {
  const isHeader = /^\s*(machine|kernel)\b/m.test(text);
  const source = isHeader ? text : [...PREAMBLE, text].join('\n');
  return parse(source, 'snippet.busdma')
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => `${d.line}:${d.col}: ${d.message}`);
}

/** What `busdma-trace run --json` reports (the CLI's own steps, without its process). */
function runTrace(source: string, kernel: KernelId): RunReport {
  const { program, diagnostics } = parse(source, 'snippet.busdma');
  const errors = diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, [], `does not parse:\n${source}`);
  const runner = new TraceRunner(program, { kernel });
  runner.runToEnd();
  return buildReport(runner);
}

function snippetNamed(snippets: Record<string, Snippet>, prefix: string): Snippet {
  const found = Object.values(snippets).find((s) => ([] as string[]).concat(s.prefix).includes(prefix));
  assert.ok(found, `no snippet with prefix ${prefix}`);
  return found;
}

function defaults(s: Snippet, overrides: Record<number, string> = {}): string {
  return expand(parseSnippet(bodyText(s)), new Map(), new Map(Object.entries(overrides).map(([k, v]) => [Number(k), v])));
}

// ---- tests ----

test('snippets file: shape of every entry', () => {
  const snippets = loadSnippets();
  const prefixes = new Map<string, string>();
  for (const [name, s] of Object.entries(snippets)) {
    const pre = ([] as string[]).concat(s.prefix);
    assert.ok(pre.length > 0 && pre.every((p) => typeof p === 'string' && /^[A-Za-z_][\w-]*$/.test(p)), `${name}: prefix`);
    for (const p of pre) {
      assert.ok(!prefixes.has(p), `prefix ${p} used by both ${prefixes.get(p)} and ${name}`);
      prefixes.set(p, name);
    }
    const body = ([] as string[]).concat(s.body);
    assert.ok(body.length > 0 && body.every((l) => typeof l === 'string'), `${name}: body`);
    assert.ok(typeof s.description === 'string' && s.description.length > 10, `${name}: description`);
    assert.doesNotThrow(() => parseSnippet(bodyText(s)), `${name}: snippet syntax`);
  }
});

test('every call has a snippet, named after it', () => {
  const snippets = loadSnippets();
  for (const call of CALL_NAMES) {
    assert.ok(
      Object.values(snippets).some((s) => new RegExp(`\\b${call}\\(`).test(bodyText(s))),
      `no snippet body calls ${call}`,
    );
    assert.ok(
      Object.values(snippets).some((s) => ([] as string[]).concat(s.prefix).includes(call)),
      `no snippet has the prefix ${call}`,
    );
  }
  for (const shape of ['header', 'tagmaps', 'cycle', 'churn', 'deferred']) snippetNamed(snippets, shape);
});

test('choices offer real flags, constants and kernels', () => {
  const known = /^(BUS_DMA(SYNC)?_[A-Z_]+|BUS_SPACE_[A-Z0-9_]+|PAGE_SIZE|MCLBYTES|MJUM\w+|E[A-Z]+|0|\d+[KMGT]?|legacy|d47521|d48182|r291142|zone0|global\.total_bpages|leaked_bpages|errno|[a-z_]+|[<>=!]=?|.*==.*)$/;
  for (const [name, s] of Object.entries(loadSnippets())) {
    const choices = choicesOf(parseSnippet(bodyText(s)));
    for (const options of choices.values()) {
      assert.ok(options.length >= 2, `${name}: a choice needs two options`);
      assert.equal(new Set(options).size, options.length, `${name}: duplicate option`);
      for (const o of options) assert.match(o, known, `${name}: odd option ${o}`);
    }
  }
  const load = snippetNamed(loadSnippets(), 'bus_dmamap_load');
  assert.match(bodyText(load), /\$\{\d+\|BUS_DMA_NOWAIT,BUS_DMA_WAITOK\|\}/);
});

test('every expansion has balanced brackets and one statement per line', () => {
  for (const [name, s] of Object.entries(loadSnippets())) {
    for (const text of expansions(s)) {
      const problem = checkBrackets(text);
      assert.equal(problem, undefined, `${name}: ${problem}\n${text}`);
    }
  }
});

test('every expansion parses without errors', () => {
  for (const [name, s] of Object.entries(loadSnippets())) {
    for (const text of expansions(s)) {
      assert.deepEqual(parseErrors(text), [], `${name} does not parse:\n${text}`);
    }
  }
});

test('the grammar colours every expansion without invalid.illegal', () => {
  const grammar = JSON.parse(fs.readFileSync(GRAMMAR_PATH, 'utf8'));
  const invalid = new Set<string>();
  JSON.stringify(grammar, (key, value) => {
    if (key === 'name' && typeof value === 'string') value.split(/\s+/).filter((s: string) => s.startsWith('invalid.')).forEach((s: string) => invalid.add(s));
    return value;
  });
  assert.ok(invalid.size > 0);
  // One assertion file: each source line followed by a negative assertion over all of it.
  const lines = ['# SYNTAX TEST "source.busdma" "expanded snippets"'];
  for (const s of Object.values(loadSnippets())) {
    for (const text of expansions(s)) {
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        lines.push(line, `#<${'-'.repeat(line.length)} - ${[...invalid].join(' ')}`);
      }
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'busdma-snippet-grammar-'));
  try {
    const file = path.join(dir, 'snippets.busdma');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const isWindows = process.platform === 'win32';
    const bin = path.join(ROOT, 'node_modules', '.bin', isWindows ? 'vscode-tmgrammar-test.cmd' : 'vscode-tmgrammar-test');
    const r = spawnSync(bin, [file.split(path.sep).join('/')], { cwd: ROOT, encoding: 'utf8', shell: isWindows, timeout: 120_000 });
    assert.equal(r.status, 0, `invalid tokens in snippet expansions:\n${r.stdout}${r.stderr}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('shapes run: tag with maps, a load/sync/unload cycle, teardown', () => {
  const snippets = loadSnippets();
  const source = [
    defaults(snippetNamed(snippets, 'header')),
    defaults(snippetNamed(snippets, 'tagmaps')),
    defaults(snippetNamed(snippets, 'cycle'), { 2: 'map[0]' }),
    defaults(snippetNamed(snippets, 'cycle'), { 2: 'map[3]', 3: '0x2_0000_0000' }),
    defaults(snippetNamed(snippets, 'teardown')),
  ].join('\n');
  assert.deepEqual(parseErrors(source), []);
  for (const kernel of ['d48182', 'd47521', 'legacy'] as const) {
    const report = runTrace(source, kernel);
    const bad = report.events.filter((e) => ['error', 'misuse', 'unreachable', 'stall', 'panic', 'expect'].includes(e.kind));
    assert.deepEqual(bad, [], `${kernel}: ${JSON.stringify(bad)}\n${source}`);
    assert.equal(report.expects.failed, 0, kernel);
    assert.ok(report.expects.passed >= 2, kernel);
    assert.ok(report.zones[0].total_bounced >= 2, `${kernel}: the cycles bounce`);
  }
});

test('shapes run: the deferred load completes from busdma_thread()', () => {
  const snippets = loadSnippets();
  const source = [defaults(snippetNamed(snippets, 'header')), defaults(snippetNamed(snippets, 'deferred'))].join('\n');
  for (const kernel of ['d48182', 'd47521', 'legacy'] as const) {
    const report = runTrace(source, kernel);
    assert.deepEqual(report.expects, { passed: 4, failed: 0 }, `${kernel}: ${JSON.stringify(report.events)}\n${source}`);
    assert.equal(report.errnos.EINPROGRESS, 1, kernel);
    assert.equal(report.zones[0].total_deferred, 1, kernel);
    assert.equal(report.exit, 0, `${kernel}: ${JSON.stringify(report.events)}`);
  }
});

test('shapes run: the churn loop reproduces PR 278569 on legacy and d47521, not on d48182', () => {
  const snippets = loadSnippets();
  const source = [defaults(snippetNamed(snippets, 'header')), defaults(snippetNamed(snippets, 'churn'))].join('\n');
  const fixed = runTrace(source, 'd48182');
  assert.equal(fixed.exit, 0, `d48182: ${JSON.stringify(fixed.events.slice(0, 5))}`);
  assert.deepEqual(fixed.expects, { passed: 1, failed: 0 });
  assert.ok(fixed.zones[0].total_bpages <= 8192);
  for (const kernel of ['legacy', 'd47521'] as const) {
    const broken = runTrace(source, kernel);
    assert.equal(broken.exit, 1, kernel);
    assert.deepEqual(broken.expects, { passed: 0, failed: 1 }, kernel);
    assert.ok(broken.zones[0].total_bpages > 8192, `${kernel}: ${broken.zones[0].total_bpages}`);
    assert.ok(broken.events.some((e) => e.kind === 'leak'), `${kernel}: a leak event`);
  }
});

// Static editor support: the TextMate grammar (run through vscode-tmgrammar-test on the
// assertion files in test-fixtures/grammar/) and language-configuration.json.
//
// Paths are relative to the repository root: `node --test` runs from there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CALLS } from '../src/trace/parser';
import { NAMED_CONSTANTS } from '../src/core/constants';
import { KERNEL_IDS } from '../src/core/kernels';

const ROOT = process.cwd();
const GRAMMAR_PATH = path.join(ROOT, 'syntaxes', 'busdma.tmLanguage.json');
const FIXTURE_DIR = path.join(ROOT, 'test-fixtures', 'grammar');
const LANGUAGE_CONFIG_PATH = path.join(ROOT, 'language-configuration.json');

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function fixtureFiles(): string[] {
  return fs
    .readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.busdma'))
    .sort()
    .map((f) => path.join(FIXTURE_DIR, f));
}

/** An assertion line of vscode-tmgrammar-test: `#` then `^^^` or `<---`. */
function isAssertionLine(line: string): boolean {
  return line.startsWith('#') && /^\s*(\^|<~*-+)/.test(line.slice(1));
}

/** Every scope name the grammar can produce (a `name` may hold several, space separated). */
function grammarScopes(grammar: any): Set<string> {
  const scopes = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
    } else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if ((key === 'name' || key === 'contentName') && typeof value === 'string' && node !== grammar) {
          value.split(/\s+/).filter(Boolean).forEach((s) => scopes.add(s));
        } else {
          walk(value);
        }
      }
    }
  };
  walk(grammar);
  return scopes;
}

test('grammar assertion files pass vscode-tmgrammar-test', () => {
  const isWindows = process.platform === 'win32';
  const bin = path.join(ROOT, 'node_modules', '.bin', isWindows ? 'vscode-tmgrammar-test.cmd' : 'vscode-tmgrammar-test');
  assert.ok(fs.existsSync(bin), `${bin} is missing: run npm install`);
  // The tool expands the glob itself (and reads the grammar from package.json).
  const result = spawnSync(bin, ['test-fixtures/grammar/*.busdma'], {
    cwd: ROOT,
    encoding: 'utf8',
    shell: isWindows,
    timeout: 120_000,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  assert.equal(result.error, undefined, `could not run vscode-tmgrammar-test: ${result.error}\n${output}`);
  assert.equal(result.status, 0, `vscode-tmgrammar-test failed (status ${result.status}, signal ${result.signal}):\n${output}`);
  for (const file of fixtureFiles()) {
    const rel = path.relative(ROOT, file).split(path.sep).join('/');
    assert.match(output, new RegExp(`${rel.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} run successfuly`), `no result for ${rel}:\n${output}`);
  }
});

test('grammar fixtures are well-formed assertion files', () => {
  const files = fixtureFiles();
  assert.ok(files.length >= 5, 'expected the grammar assertion files in test-fixtures/grammar/');
  for (const file of files) {
    const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
    assert.match(lines[0], /^# SYNTAX TEST "source\.busdma"( "[^"]+")?$/, `${file}: bad header line`);
    const assertions = lines.filter(isAssertionLine);
    assert.ok(assertions.length > 0, `${file} has no assertions`);
    for (const line of assertions) {
      // The tool takes `required... - excluded...` with ONE dash; a second ` - ` makes its
      // assertion regex backtrack for minutes instead of failing.
      const dashes = line.split(/\s+/).filter((w) => w === '-').length;
      assert.ok(dashes <= 1, `${file}: use one " - " before all excluded scopes: ${line}`);
    }
  }
});

test('every scope the grammar produces is asserted by some fixture', () => {
  const grammar = readJson(GRAMMAR_PATH);
  const asserted = new Set<string>();
  for (const file of fixtureFiles()) {
    for (const line of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
      if (isAssertionLine(line)) line.split(/\s+/).forEach((w) => asserted.add(w));
    }
  }
  const missing = [...grammarScopes(grammar)].filter((s) => !asserted.has(s));
  assert.deepEqual(missing, [], `scopes without a grammar assertion: ${missing.join(', ')}`);
  // The token classes the issue asks for, by name.
  for (const scope of [
    'comment.line.number-sign.busdma',
    'punctuation.definition.comment.busdma',
    'keyword.control.busdma',
    'keyword.other.busdma',
    'entity.name.function.busdma',
    'variable.parameter.busdma',
    'variable.other.busdma',
    'constant.numeric.decimal.busdma',
    'constant.numeric.hex.busdma',
    'constant.numeric.size.busdma',
    'meta.buffer.busdma',
    'meta.buffer.list.busdma',
    'constant.language.busdma',
    'constant.language.flag.busdma',
    'constant.language.errno.busdma',
    'constant.language.kernel.busdma',
    'variable.language.zone.busdma',
    'variable.language.global.busdma',
    'string.quoted.double.busdma',
    'constant.character.escape.busdma',
    'keyword.operator.comparison.busdma',
  ]) {
    assert.ok(asserted.has(scope), `no fixture asserts ${scope}`);
  }
});

test('grammar file is consistent with package.json', () => {
  const grammar = readJson(GRAMMAR_PATH);
  assert.equal(grammar.scopeName, 'source.busdma');
  const pkg = readJson(path.join(ROOT, 'package.json'));
  const contributed = pkg.contributes.grammars.find((g: any) => g.language === 'busdma');
  assert.ok(contributed, 'package.json contributes no busdma grammar');
  assert.equal(contributed.scopeName, grammar.scopeName);
  assert.equal(path.resolve(ROOT, contributed.path), GRAMMAR_PATH);
  const language = pkg.contributes.languages.find((l: any) => l.id === 'busdma');
  assert.equal(path.resolve(ROOT, language.configuration), LANGUAGE_CONFIG_PATH);

  // Every `#include` resolves, every repository rule is used, every regex compiles in JS
  // (Oniguruma is a superset for what the grammar uses; this catches typos early).
  const repo: Record<string, unknown> = grammar.repository;
  const used = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'include' && typeof value === 'string' && value.startsWith('#')) {
        const name = value.slice(1);
        assert.ok(name in repo, `unresolved include ${value}`);
        used.add(name);
      } else if ((key === 'match' || key === 'begin' || key === 'end') && typeof value === 'string') {
        assert.doesNotThrow(() => new RegExp(value), `bad regex ${value}`);
      } else {
        walk(value);
      }
    }
  };
  walk(grammar);
  assert.deepEqual(Object.keys(repo).filter((k) => !used.has(k)), [], 'unused repository rules');
});

test('grammar knows every call, constant and kernel of the language', () => {
  const grammar = readJson(GRAMMAR_PATH);
  const repo = grammar.repository;
  // The first pattern of #call is the known-call rule; its group 1 lists the calls.
  const callRule = new RegExp(`^(?:${repo.call.patterns[0].begin})`);
  for (const call of Object.keys(CALLS)) {
    const m = callRule.exec(`${call}(`);
    assert.equal(m?.[1], call, `grammar does not know the call ${call}`);
  }
  const constantRules: [string, RegExp][] = [
    ['constant.language.busdma', new RegExp(`^(?:${repo.constant.match})$`)],
    ...repo.flag.patterns.map((p: any) => [p.name, new RegExp(`^(?:${p.match})$`)] as [string, RegExp]),
    ['constant.language.errno.busdma', new RegExp(`^(?:${repo.errno.match})$`)],
  ];
  for (const name of Object.keys(NAMED_CONSTANTS)) {
    const rule = constantRules.find(([, re]) => re.test(name));
    assert.ok(rule, `grammar does not know the constant ${name}`);
    assert.doesNotMatch(rule[0], /^invalid/, `${name} is highlighted as ${rule[0]}`);
  }
  const kernelRule = new RegExp(`^(?:${repo.kernel.patterns[0].match})$`);
  for (const id of KERNEL_IDS) assert.match(id, kernelRule, `grammar does not know the kernel ${id}`);
});

test('language configuration: comments, brackets, pairs', () => {
  const config = readJson(LANGUAGE_CONFIG_PATH);
  assert.equal(config.comments.lineComment, '#');
  assert.equal(config.comments.blockComment, undefined, 'the language has no block comments');
  const pairs = (list: string[][]) => list.map((p) => p.join('')).sort();
  assert.deepEqual(pairs(config.brackets), ['()', '[]', '{}']);
  assert.deepEqual(pairs(config.surroundingPairs), ['""', '()', '[]', '{}']);
  const closing = config.autoClosingPairs as { open: string; close: string; notIn?: string[] }[];
  assert.deepEqual(closing.map((p) => p.open + p.close).sort(), ['""', '()', '[]', '{}']);
  for (const pair of closing) {
    assert.deepEqual([...(pair.notIn ?? [])].sort(), ['comment', 'string'], `${pair.open}: notIn`);
  }
});

test('language configuration: wordPattern keeps state names, handles and integers whole', () => {
  const config = readJson(LANGUAGE_CONFIG_PATH);
  const words = (line: string) => line.match(new RegExp(config.wordPattern, 'g')) ?? [];
  assert.deepEqual(words('expect zone0.total_bpages <= 8192'), ['expect', 'zone0.total_bpages', '8192']);
  assert.deepEqual(words('expect global.total_bpages > 0'), ['expect', 'global.total_bpages', '0']);
  assert.deepEqual(words('m = bus_dmamap_create(rx[3])'), ['m', 'bus_dmamap_create', 'rx[3]']);
  assert.deepEqual(words('bus_dmamap_sync(t[i], m[i], BUS_DMASYNC_PREWRITE)'), [
    'bus_dmamap_sync',
    't[i]',
    'm[i]',
    'BUS_DMASYNC_PREWRITE',
  ]);
  assert.deepEqual(words('bus_dmamap_load(rx, m, 0x1_0000_0000:64K)'), [
    'bus_dmamap_load',
    'rx',
    'm',
    '0x1_0000_0000',
    '64K',
  ]);
  assert.deepEqual(words('expect t[i].lowaddr == BUS_SPACE_MAXADDR_32BIT'), [
    'expect',
    't[i].lowaddr',
    'BUS_SPACE_MAXADDR_32BIT',
  ]);
  assert.deepEqual(words('machine maxmem=16G'), ['machine', 'maxmem', '16G']);
  // VS Code loops forever on a word pattern that matches the empty string.
  assert.equal(new RegExp(config.wordPattern).test(''), false);
});

test('language configuration: repeat blocks fold and indent', () => {
  const config = readJson(LANGUAGE_CONFIG_PATH);
  const start = new RegExp(config.folding.markers.start);
  const end = new RegExp(config.folding.markers.end);
  const increase = new RegExp(config.indentationRules.increaseIndentPattern);
  const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);

  for (const line of ['repeat 100 as i {', '  repeat 4 as j {   # inner', 'repeat MJUM9BYTES / PAGE_SIZE {', '# region setup']) {
    assert.ok(start.test(line), `folding start: ${line}`);
  }
  for (const line of ['expect errno == 0', '# a comment {', 'repeat 3 as i', 'log "{"']) {
    assert.ok(!start.test(line), `not a folding start: ${line}`);
  }
  for (const line of ['}', '  }  # end', '# endregion']) assert.ok(end.test(line), `folding end: ${line}`);
  for (const line of ['expect errno == 0', '# }x']) assert.ok(!end.test(line), `not a folding end: ${line}`);

  assert.ok(increase.test('repeat 100 as i {'));
  assert.ok(increase.test('  repeat 4 {  # comment'));
  assert.ok(!increase.test('# comment {'));
  assert.ok(!increase.test('bus_dmamap_unload(rx, m)'));
  assert.ok(decrease.test('}'));
  assert.ok(decrease.test('    }'));
  assert.ok(!decrease.test('expect errno == 0'));

  // Folding with markers the way VS Code's indentation range provider uses them (a stack
  // of end markers, scanning bottom-up), so unindented nested blocks fold too.
  const source = [
    'parent = bus_dma_tag_create(lowaddr: BUS_SPACE_MAXADDR_32BIT)', // 0
    'repeat 10 as i {', // 1
    'repeat 4 as j {', // 2
    'm[i * 4 + j] = bus_dmamap_create(parent)', // 3
    '}', // 4
    '}', // 5
    'busdma_thread()', // 6
  ];
  const ranges: [number, number][] = [];
  const ends: number[] = [];
  for (let line = source.length - 1; line >= 0; line--) {
    if (start.test(source[line]) && ends.length > 0) ranges.push([line, ends.pop()!]);
    else if (end.test(source[line])) ends.push(line);
  }
  assert.deepEqual(ranges.sort((a, b) => a[0] - b[0]), [
    [1, 5],
    [2, 4],
  ]);
});

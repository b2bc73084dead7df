import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { CASES } from '../../bench/cases';

/*
 * The docs' tables of commands, settings and flags, checked against what the product really has, both ways: nothing
 * documented that does not exist, nothing that exists left undocumented, and the same defaults. (As
 * docs/sidecar.schema.json is kept true by sidecar-schema-doc.test.ts.) A command, setting or flag added without its
 * line in the docs fails here, and so does a doc line left behind by a rename.
 */
const REPO = path.resolve(__dirname, '../../..');
const CLI = path.join(REPO, 'dist/cli.js');
const read = (file: string) => readFileSync(path.join(REPO, file), 'utf8');
const manifest = JSON.parse(read('package.json')) as {
  contributes: {
    commands: Array<{ command: string; title: string; category?: string }>;
    configuration: { properties: Record<string, { default: unknown }> };
  };
};

/** The rows of every markdown table in `text` whose header's first cell is `firstHeader`, as arrays of trimmed cells. */
function tableRows(text: string, firstHeader: string): string[][] {
  const rows: string[][] = [];
  let inTable = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) {
      inTable = false;
      continue;
    }
    // Split on the pipes that are not escaped (`\|` in a cell is a literal bar).
    const cells = line.slice(1, line.trimEnd().endsWith('|') ? line.trimEnd().length - 1 : undefined).split(/(?<!\\)\|/).map((c) => c.trim());
    if (!inTable) {
      inTable = cells[0] === firstHeader;
      continue;
    }
    if (/^-+$/.test(cells[0])) continue;
    rows.push(cells);
  }
  return rows;
}

/** `code` spans in a cell, without the backticks. */
const codeSpans = (cell: string): string[] => [...cell.matchAll(/`([^`]*)`/g)].map((m) => m[1]);

/** A default as the docs write it: a JSON value in backticks, or plain text for a string; an empty cell is "". */
function docDefault(cell: string): unknown {
  const [code] = codeSpans(cell);
  if (code === undefined) return cell === '' ? '' : cell;
  try {
    return JSON.parse(code) as unknown;
  } catch {
    return code;
  }
}

/** The `## ...` sections of a markdown file, by heading. */
function sections(text: string): Array<{ heading: string; body: string }> {
  return text.split(/^(?=## )/m).slice(1).map((part) => ({ heading: part.slice(0, part.indexOf('\n')), body: part }));
}

describe('docs/extension.md matches package.json', () => {
  const doc = read('docs/extension.md');

  it('the commands table lists every contributed command, with its title, and no other', () => {
    const rows = tableRows(doc, 'command');
    assert.ok(rows.length > 0, 'docs/extension.md has a table whose first column is "command"');
    const documented = new Map(rows.map(([title, id]) => [codeSpans(id)[0], title.replace(/\*\*/g, '')]));
    const contributed = new Map(manifest.contributes.commands.map((c) => [c.command, c.title]));
    assert.deepEqual([...documented.keys()].sort(), [...contributed.keys()].sort(), 'the same command ids');
    for (const [id, title] of contributed) assert.equal(documented.get(id), title, `the title of ${id}`);
    for (const c of manifest.contributes.commands) assert.equal(c.category, 'Model Preview', `${c.command} has the category`);
  });

  it('the settings table lists every setting with its default, and no other', () => {
    const rows = tableRows(doc, 'setting');
    const documented = new Map(rows.map(([key, value]) => [codeSpans(key)[0], docDefault(value)]));
    const contributed = new Map(Object.entries(manifest.contributes.configuration.properties).map(([key, p]) => [key, p.default]));
    assert.deepEqual([...documented.keys()].sort(), [...contributed.keys()].sort(), 'the same settings');
    for (const [key, value] of contributed) assert.deepEqual(documented.get(key), value, `the default of ${key}`);
  });

  it('every "Model Preview: <command>" in the code and docs (what a message tells people to run) is a real command', () => {
    const titles = new Set(manifest.contributes.commands.map((c) => `${c.category}: ${c.title}`));
    const files = [
      ...walk(path.join(REPO, 'src')).filter((f) => f.endsWith('.ts')),
      ...['README.md', ...readdirSync(path.join(REPO, 'docs')).map((f) => `docs/${f}`)].filter((f) => f.endsWith('.md')).map((f) => path.join(REPO, f)),
      ...walk(path.join(REPO, 'media')).filter((f) => f.endsWith('.md')),
    ];
    const named: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/["“]((?:Model Preview: )?[^"”\n]{3,60})["”] command\b/g)) named.push(`${path.relative(REPO, file)}: ${m[1]}`);
      for (const m of text.matchAll(/(?:["'`“]|\*\*)(Model Preview: [A-Z][^"'`”*\n]{2,60})(?:["'`”]|\*\*)/g)) named.push(`${path.relative(REPO, file)}: ${m[1]}`);
    }
    const unknown = named.filter((n) => !titles.has(n.slice(n.indexOf(': ') + 2)));
    assert.deepEqual(unknown, [], `named as commands, but no command has that title (known: ${[...titles].join(', ')})`);
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

interface CliFlag {
  flag: string;
  /** What commander prints as `(default: ...)`, quotes removed; undefined when it prints none. */
  default?: string;
}

/** The flags of one command, read from its `--help` (the built CLI, as users run it). */
/** `dist/cli.js <args> --help`, as wide as it likes. */
async function helpOf(args: string[]): Promise<string> {
  return (await promisify(execFile)(process.execPath, [CLI, ...args, '--help'], { encoding: 'utf8', env: { ...process.env, COLUMNS: '400' } })).stdout;
}

async function helpFlags(args: string[]): Promise<CliFlag[]> {
  const help = await helpOf(args);
  const options = help.slice(help.indexOf('\nOptions:\n') + 10).split(/\n\S/)[0];
  // One entry per option: its first line starts with two spaces and a dash; commander wraps long ones onto more lines.
  return options.split(/\n(?= {2}-)/).map((entry) => entry.replace(/\s+/g, ' ').trim()).filter(Boolean)
    .map((entry) => ({
      flag: /--[a-z0-9-]+/.exec(entry)![0],
      default: /\(default: ("?)(.*?)\1\)/.exec(entry)?.[2],
    }))
    .filter((f) => f.flag !== '--help' && f.flag !== '--version');
}

/** Every `--flag` written in a text; `--rate-limit-*` is kept as the prefix `--rate-limit-`. */
const flagsIn = (text: string): string[] => [...new Set([...text.matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)].map((m) => m[0]))];

describe('the CLI docs match the built CLI (dist/cli.js --help)', () => {
  let commands: Map<string, CliFlag[]>;
  const allFlags = () => new Set([...commands.values()].flat().map((f) => f.flag));
  const exists = (flag: string) => (flag.endsWith('-') ? [...allFlags()].some((f) => f.startsWith(flag)) : allFlags().has(flag));

  // The ~30 `--help` runs go in parallel: one after the other they took over 30 s on a loaded CI machine.
  before(async function () {
    this.timeout(60_000);
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build it with npm run build`);
    const top = await helpOf([]);
    const names = [...top.slice(top.indexOf('\nCommands:\n')).matchAll(/^ {2}([a-z][a-z-]*) /gm)].map((m) => m[1]).filter((n) => n !== 'help');
    assert.ok(names.includes('serve'), top);
    // A command with subcommands (`review add|list|remove`) has one section: the flags of all its subcommands.
    const subcommands = async (name: string) => {
      const help = await helpOf([name]);
      return help.includes('\nCommands:\n') ? [...help.slice(help.indexOf('\nCommands:\n')).matchAll(/^ {2}([a-z][a-z-]*)[ |]/gm)].map((m) => m[1]).filter((n) => n !== 'help') : [];
    };
    commands = new Map(await Promise.all(names.map(async (name): Promise<[string, CliFlag[]]> => {
      const subs = await subcommands(name);
      return [name, subs.length === 0 ? await helpFlags([name]) : (await Promise.all(subs.map((sub) => helpFlags([name, sub])))).flat()];
    })));
  });

  it('docs/cli.md has a section per command; every flag of a command is in its section, and every flag there is one it has', () => {
    const bySection = new Map(sections(read('docs/cli.md')).map((s) => [/`([a-z-]+)/.exec(s.heading)?.[1], s.body]));
    for (const [name, flags] of commands) {
      const body = bySection.get(name);
      assert.ok(body !== undefined, `docs/cli.md has a "## \`${name} ...\`" section`);
      const written = flagsIn(body);
      const real = flags.map((f) => f.flag);
      assert.deepEqual(real.filter((f) => !written.includes(f)), [], `flags of ${name} missing from its section in docs/cli.md`);
      assert.deepEqual(written.filter((f) => !real.includes(f)), [], `flags in the ${name} section of docs/cli.md that ${name} does not have`);
    }
    assert.deepEqual([...bySection.keys()].filter((k) => k && !commands.has(k)), [], 'sections of docs/cli.md for commands that do not exist');
  });

  it('the defaults in docs/cli.md\'s flag tables are the ones the CLI applies', () => {
    const rows = tableRows(read('docs/cli.md'), 'flag').filter((r) => r.length === 3);
    assert.ok(rows.length > 10, 'the serve table has a default column');
    const serve = new Map(commands.get('serve')!.map((f) => [f.flag, f.default]));
    for (const [flagCell, defaultCell] of rows) {
      const flag = flagsIn(flagCell)[0];
      const real = serve.get(flag);
      if (real === undefined) continue; // commander prints no default: the description says it
      const documented = codeSpans(defaultCell)[0] ?? defaultCell;
      assert.equal(documented, real, `the default of ${flag}`);
    }
  });

  it('every flag in the README\'s CLI table is one its command has', () => {
    const cli = sections(read('README.md')).find((s) => s.heading.includes('The CLI'))!;
    const rows = tableRows(cli.body, 'command');
    assert.ok(rows.length >= commands.size, 'a row per command');
    for (const [usage] of rows) {
      const name = /(?:model-preview|\.\.\.) ([a-z-]+)/.exec(usage)?.[1];
      assert.ok(name && commands.has(name), `a row for a real command: ${usage}`);
      const real = commands.get(name)!.map((f) => f.flag);
      assert.deepEqual(flagsIn(usage).filter((f) => !real.includes(f)), [], `README's row for ${name}`);
    }
    assert.deepEqual([...commands.keys()].filter((name) => !rows.some(([usage]) => usage.includes(` ${name}`))), [], 'commands missing from the README table');
  });

  it('every flag the other docs name exists', () => {
    for (const file of ['docs/tunnels.md', 'docs/http-api.md', 'docs/feedback.md', 'docs/architecture.md', 'docs/sidecar.md']) {
      assert.deepEqual(flagsIn(read(file)).filter((f) => !exists(f)), [], `${file} names flags the CLI does not have`);
    }
  });
});

describe('docs/benchmarks.md matches npm run bench', () => {
  it('its table has a row per benchmark case, and no other', () => {
    const documented = tableRows(read('docs/benchmarks.md'), 'case').map(([name]) => codeSpans(name)[0]);
    assert.deepEqual(documented.sort(), CASES.map((c) => c.name).sort());
  });
});

/**
 * Benchmark runner: `npm run bench` (builds first) or `node out/bench/run.js [case ...] [--duration S] [--warmup S]`.
 * Runs the cases in order, prints each one's figures, a PASS/MISS line per target and a summary, and writes
 * everything to out/bench-results.json. Targets are not tests: the exit code is 0 unless a case crashed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CASES } from './cases';
import type { BenchOptions, CaseResult } from './lib/case';
import { formatTable } from './lib/format';
import { repoRoot, resultsFile } from './lib/paths';

interface Args {
  names: string[];
  durationSeconds: number;
  warmupSeconds: number;
}

function usage(): string {
  return [
    'usage: node out/bench/run.js [case ...] [--duration S] [--warmup S]',
    'cases:',
    ...CASES.map((c) => `  ${c.name.padEnd(18)} ${c.description}`),
  ].join('\n');
}

function parseArgs(argv: string[]): Args {
  const args: Args = { names: [], durationSeconds: 10, warmupSeconds: 2 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const seconds = (flag: string) => {
      const n = Number(argv[++i]);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a number of seconds`);
      return n;
    };
    if (a === '--duration') args.durationSeconds = seconds(a);
    else if (a === '--warmup') args.warmupSeconds = seconds(a);
    else if (a === '--help' || a === '-h') {
      console.log(usage());
      process.exit(0);
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}\n${usage()}`);
    else if (!CASES.some((c) => c.name === a)) throw new Error(`unknown case "${a}"\n${usage()}`);
    else args.names.push(a);
  }
  return args;
}

interface CaseOutcome {
  name: string;
  description: string;
  seconds: number;
  result?: CaseResult;
  error?: string;
}

function printCase(outcome: CaseOutcome): void {
  console.log(`\n== ${outcome.name}: ${outcome.description} (${outcome.seconds.toFixed(1)} s)`);
  if (outcome.error) {
    console.log(`  CRASHED: ${outcome.error}`);
    return;
  }
  const r = outcome.result!;
  for (const t of r.tables) console.log(`\n  ${t.title}\n${formatTable(t.rows)}`);
  if (r.notes.length > 0) console.log(`\n${r.notes.map((n) => `  ${n}`).join('\n')}`);
  console.log('');
  for (const c of r.checks) console.log(`  ${c.pass ? 'PASS' : 'MISS'}  ${c.target}: ${c.actual}`);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const selected = args.names.length > 0 ? CASES.filter((c) => args.names.includes(c.name)) : CASES;
  const options: BenchOptions = {
    durationSeconds: args.durationSeconds,
    warmupSeconds: args.warmupSeconds,
    log: (line) => process.stderr.write(line + '\n'),
  };
  const machine = { node: process.version, platform: `${os.platform()} ${os.arch()}`, cpus: os.availableParallelism(), cpuModel: os.cpus()[0]?.model ?? 'unknown', loadAverage: os.loadavg().map((n) => Number(n.toFixed(2))) };
  console.log(`Model Preview benchmark: node ${machine.node}, ${machine.platform}, ${machine.cpus} cores (${machine.cpuModel}), load average ${machine.loadAverage.join(' ')}`);

  const outcomes: CaseOutcome[] = [];
  for (const c of selected) {
    options.log(`[${c.name}] ${c.description}`);
    const started = Date.now();
    const outcome: CaseOutcome = { name: c.name, description: c.description, seconds: 0 };
    try {
      outcome.result = await c.run(options);
    } catch (err) {
      outcome.error = (err as Error).stack ?? String(err);
    }
    outcome.seconds = (Date.now() - started) / 1000;
    outcomes.push(outcome);
    printCase(outcome);
  }

  const summary = [['case', 'target', 'actual', 'result']];
  for (const o of outcomes) {
    if (o.error) summary.push([o.name, '(case crashed)', o.error.split('\n')[0], 'CRASH']);
    for (const c of o.result?.checks ?? []) summary.push([o.name, c.target, c.actual, c.pass ? 'PASS' : 'MISS']);
  }
  console.log(`\n== Summary\n${formatTable(summary)}`);

  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.writeFileSync(resultsFile, JSON.stringify({
    finishedAt: new Date().toISOString(),
    machine,
    options: { durationSeconds: args.durationSeconds, warmupSeconds: args.warmupSeconds },
    cases: outcomes.map((o) => ({ name: o.name, description: o.description, seconds: o.seconds, error: o.error, checks: o.result?.checks, data: o.result?.data })),
  }, null, 2) + '\n');
  console.log(`\nResults written to ${path.relative(repoRoot, resultsFile)}`);
  return outcomes.some((o) => o.error) ? 1 : 0;
}

main().then((code) => process.exit(code), (err: Error) => {
  process.stderr.write(`bench: ${err.message}\n`);
  process.exit(1);
});

// `npm run bench`: measures what the issue asks and prints a table beside the
// targets; writes the figures to bench-results/bench-<date>.json (git-ignored)
// and draws them in bench-results/bench-<date>.svg.
//   --only tree,verify,proofs,gas,eas,commission,fefo,writes,ingest,recall,trace,web   run some of them (default all)
//   --full                              also the slow libraries on 1,000,000 leaves
//   --quick                             small sizes, for a smoke run (figures not comparable)
// For the node benchmarks on a PostgreSQL server: bash scripts/with-postgres.sh npm run bench
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../../node/paths';
import { compareAnchoring, comparisonRows, comparisonTable, ratio } from './anchorCost';
import { drawChart } from './chart';
import { benchCommission } from './commission';
import { benchPerEvent } from './eas';
import { benchFefo } from './fefo';
import { benchGas } from './gas';
import { benchIngest } from './ingest';
import { type BenchResult, fmt, log } from './measure';
import { benchProofs } from './proofs';
import { benchTree } from './tree';
import { benchWrites } from './writes';
import { benchRecall } from './recall';
import { benchTrace } from './trace';
import { benchWebPage } from './webPage';
import { benchVerify } from './verify';

const GROUPS = ['tree', 'verify', 'proofs', 'gas', 'eas', 'commission', 'fefo', 'writes', 'ingest', 'recall', 'trace', 'web'] as const;
type Group = (typeof GROUPS)[number];

function parseOptions(): { groups: Group[]; full: boolean; quick: boolean } {
  const { values } = parseArgs({
    options: { only: { type: 'string' }, full: { type: 'boolean' }, quick: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(`Usage: npm run bench [-- --only ${GROUPS.join(',')}] [-- --full] [-- --quick]\n`);
    process.exit(0);
  }
  const groups = values.only ? values.only.split(',').map((g) => g.trim()) : [...GROUPS];
  for (const g of groups) {
    if (!GROUPS.includes(g as Group)) throw new Error(`--only: unknown benchmark '${g}' (choose from ${GROUPS.join(', ')})`);
  }
  return { groups: groups as Group[], full: values.full === true, quick: values.quick === true };
}

function figure(result: BenchResult): string {
  if (result.unit === 'ms') return `${fmt(result.value)} ms`;
  if (result.unit === '×') return ratio(result.value);
  return `${fmt(result.value)} ${result.unit}`;
}

function table(results: BenchResult[]): string {
  const rows = results.map((r) => [r.group, r.name, figure(r), r.target ? `${r.target} ${r.unit}` : '', r.meets === undefined ? '' : r.meets ? 'yes' : 'NO', r.note ?? '']);
  const header = ['', 'measurement', 'figure', 'target', 'met', 'how'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function gitCommit(): string | undefined {
  try {
    return execSync('git rev-parse --short HEAD', { cwd: repoRoot, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const { groups, full, quick } = parseOptions();
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  const results: BenchResult[] = [];
  // --quick: the same methods on small sizes (fefo still seeds its 1,000,000 units).
  if (groups.includes('tree')) results.push(...(await benchTree(quick ? [10_000] : [100_000, 1_000_000], { full })));
  if (groups.includes('verify')) results.push(...(await (quick ? benchVerify(10_000, 2_000) : benchVerify(100_000, 10_000))));
  if (groups.includes('proofs')) {
    // 1,000 leaves: a default-size anchoring batch (an event's inclusion proof); 100,000: a big unit set.
    results.push(...(await benchProofs(1_000, quick ? 2_000 : 20_000)));
    if (!quick) results.push(...(await benchProofs(100_000, 20_000)));
  }
  if (groups.includes('gas')) results.push(...(await benchGas([1, 10, 100, 1_000, 10_000])));
  if (groups.includes('eas')) results.push(...(await benchPerEvent(quick ? 10 : 50)));
  if (groups.includes('commission')) results.push(...(await (quick ? benchCommission(10_000, 1) : benchCommission(100_000, 3))));
  if (groups.includes('fefo')) results.push(...(await (quick ? benchFefo(100, 3) : benchFefo(1_000, 20))));
  if (groups.includes('writes')) results.push(...(await (quick ? benchWrites(50, 4, { seconds: 2 }) : benchWrites(50, 40))));
  if (groups.includes('ingest')) results.push(...(await benchIngest(32, quick ? 5 : 100)));
  if (groups.includes('recall')) results.push(...(await benchRecall(quick ? 1 : 5)));
  if (groups.includes('trace')) results.push(...(await benchTrace(quick ? 20 : 200)));
  if (groups.includes('web')) results.push(...(await benchWebPage(quick ? 5 : 20)));
  const comparison = compareAnchoring(results);
  results.push(...comparisonRows(comparison));
  if (groups.includes('eas') && !groups.includes('gas')) log('eas: run it with gas (--only gas,eas) for the side-by-side comparison');

  const machine = {
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage1mBefore: Math.round(loadBefore[0] * 100) / 100,
    loadAverage1mAfter: Math.round(os.loadavg()[0] * 100) / 100,
  };
  process.stdout.write(`\nmedtrace benchmarks, ${startedAt.toISOString()} (commit ${gitCommit() ?? 'unknown'})\n`);
  process.stdout.write(`${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, load average ${machine.loadAverage1mBefore} → ${machine.loadAverage1mAfter}\n\n`);
  process.stdout.write(`${table(results)}\n`);
  if (comparison.length > 0) process.stdout.write(`\nAnchoring cost per event, side by side (gasUsed from receipts, same Hardhat chain):\n${comparisonTable(comparison)}\n`);

  const outDir = path.join(repoRoot, 'bench-results');
  fs.mkdirSync(outDir, { recursive: true });
  const base = path.join(outDir, `bench-${startedAt.toISOString().replace(/[:.]/g, '-')}`);
  const file = `${base}.json`;
  const record = { startedAt: startedAt.toISOString(), commit: gitCommit(), quick, machine, results, anchoringComparison: comparison };
  fs.writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(`\nwritten to ${path.relative(process.cwd(), file)}\n`);
  const subtitle = `${startedAt.toISOString()}, commit ${gitCommit() ?? 'unknown'}${quick ? ', --quick sizes' : ''}; ${machine.cpus} × ${machine.cpuModel}, load average ${machine.loadAverage1mBefore} → ${machine.loadAverage1mAfter}`;
  const svg = drawChart(results, comparison, subtitle);
  if (svg) {
    fs.writeFileSync(`${base}.svg`, svg);
    process.stdout.write(`chart: ${path.relative(process.cwd(), `${base}.svg`)}\n`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);

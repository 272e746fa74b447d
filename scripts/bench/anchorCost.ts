// The anchoring cost side by side: per batch size, gas per event of medtrace's
// batched anchor (gas.ts) beside one EAS attestation, one storage write and one
// log per event (eas.ts), and the ratios. Read from both groups' results.
import { type BenchResult, fmt } from './measure';

export interface AnchoringComparison {
  batchSize: number;
  /** Mean gasUsed of the batch's anchors ÷ batch size. */
  medtrace: number;
  eas: number;
  storage: number;
  log?: number;
  /** eas ÷ medtrace: how many times cheaper per event medtrace is. */
  easRatio: number;
  storageRatio: number;
  logRatio?: number;
}

function perEventOf(results: BenchResult[], kind: string): number | undefined {
  const found = results.find((r) => r.group === 'eas' && r.detail?.kind === kind);
  return found ? Number(found.detail!.gasPerEvent) : undefined;
}

/** One line per anchored batch size; empty unless both the gas and the eas groups ran. */
export function compareAnchoring(results: BenchResult[]): AnchoringComparison[] {
  const eas = perEventOf(results, 'eas');
  const storage = perEventOf(results, 'storage');
  const logGas = perEventOf(results, 'log');
  if (eas === undefined || storage === undefined) return [];
  return results
    .filter((r) => r.group === 'gas' && typeof r.detail?.batchSize === 'number')
    .map((r) => {
      const batchSize = r.detail!.batchSize as number;
      const gasUsed = r.detail!.gasUsed as number[];
      const medtrace = gasUsed.reduce((a, b) => a + b, 0) / gasUsed.length / batchSize;
      return {
        batchSize,
        medtrace,
        eas,
        storage,
        easRatio: eas / medtrace,
        storageRatio: storage / medtrace,
        ...(logGas === undefined ? {} : { log: logGas, logRatio: logGas / medtrace }),
      };
    });
}

/** A ratio as shown: 0.55×, 22.3×, 2,232×. */
export function ratio(x: number): string {
  return `${x < 100 ? x.toFixed(x < 10 ? 2 : 1) : fmt(x)}×`;
}

function perEvent(x: number): string {
  return x >= 100 ? fmt(x) : x.toFixed(1);
}

/** The comparison as rows of the main table: the ratio per batch size, the three figures in the note. */
export function comparisonRows(lines: AnchoringComparison[]): BenchResult[] {
  return lines.map((line) => ({
    group: 'eas',
    name: `per event at batch size ${fmt(line.batchSize)}: EAS ÷ medtrace`,
    value: line.easRatio,
    unit: '×',
    note:
      `gas/event medtrace ${perEvent(line.medtrace)}, EAS ${perEvent(line.eas)}, storage ${perEvent(line.storage)} (${ratio(line.storageRatio)})` +
      (line.log === undefined ? '' : `, log ${perEvent(line.log)} (${ratio(line.logRatio!)})`),
    detail: { ...line },
  }));
}

/** The side-by-side table printed under the main one. */
export function comparisonTable(lines: AnchoringComparison[]): string {
  const header = ['batch size', 'medtrace gas/event', 'EAS gas/event', 'storage gas/event', 'log gas/event', 'EAS ÷ medtrace', 'storage ÷ medtrace', 'log ÷ medtrace'];
  const rows = lines.map((l) => [
    fmt(l.batchSize),
    perEvent(l.medtrace),
    perEvent(l.eas),
    perEvent(l.storage),
    l.log === undefined ? '' : perEvent(l.log),
    ratio(l.easRatio),
    ratio(l.storageRatio),
    l.logRatio === undefined ? '' : ratio(l.logRatio),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

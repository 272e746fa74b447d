// One line of counts per fault run, printed when the run ends and again, all
// together, when the suite ends (globalSetup.ts), so a note can quote them.
import fs from 'node:fs';
import { inject } from 'vitest';

export type FaultFields = Record<string, number | string>;

export function formatFaultLine(name: string, fields: FaultFields): string {
  return `[fault] ${name}: ${Object.entries(fields)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ')}`;
}

/** Prints the run's counts; `startedAt` (Date.now() at its start) adds how long it took. */
export function reportFault(name: string, fields: FaultFields, startedAt?: number): void {
  const line = formatFaultLine(name, startedAt === undefined ? fields : { ...fields, seconds: Math.round((Date.now() - startedAt) / 1000) });
  console.log(line);
  const file = inject('faultResultsFile');
  if (file) fs.appendFileSync(file, `${line}\n`);
}

/** Records in the summary that a run could not take place here, and why; then skips the test with that reason. */
export function reportSkipped(name: string, reason: string, skip: (note: string) => never): never {
  reportFault(name, { skipped: JSON.stringify(reason) });
  return skip(reason);
}

declare module 'vitest' {
  export interface ProvidedContext {
    faultResultsFile: string;
  }
}

// Collects the one-line counts of every fault run and prints them together at the
// end of `npm run test:faults`. Each project of vitest.faults.config.mts runs this
// setup (in the one main process, each with a module of its own): they share a
// results file named after that process, and the last teardown prints it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

const file = path.join(os.tmpdir(), `medtrace-faults-${process.pid}.txt`);
const users = `${file}.users`;
const count = () => (fs.existsSync(users) ? Number(fs.readFileSync(users, 'utf8')) : 0);

export default function setup(project: TestProject) {
  if (!fs.existsSync(file)) fs.writeFileSync(file, `${Date.now()}\n`);
  fs.writeFileSync(users, String(count() + 1));
  project.provide('faultResultsFile', file);
  return () => {
    const left = count() - 1;
    fs.writeFileSync(users, String(left));
    if (left > 0) return;
    const [startedAt, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n');
    const seconds = Math.round((Date.now() - Number(startedAt)) / 1000);
    process.stdout.write(`\nfault runs (${seconds} s in all):\n${lines.length ? lines.join('\n') : '  (none finished)'}\n\n`);
    fs.rmSync(file, { force: true });
    fs.rmSync(users, { force: true });
  };
}

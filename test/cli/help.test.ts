// The command line's surface: help on every subcommand, and the exit codes and
// messages of wrong use, without starting any chain or node.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../node/paths';
import { cleanEnv, medtrace } from './run';

const SUBCOMMANDS = ['chain', 'node', 'demo', 'register', 'verify', 'identity', 'trace'];

describe('medtrace help', () => {
  it('lists every subcommand under --help and exits 0', async () => {
    const result = await medtrace(['--help']);
    expect(result.code).toBe(0);
    for (const name of SUBCOMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it.each(SUBCOMMANDS)('prints the usage of `%s --help` and exits 0', async (name) => {
    const result = await medtrace([name, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: medtrace ${name}`);
    expect(result.stdout).toContain('--help');
  });

  it('runs through npx from inside the repository (the package bin)', async () => {
    const { stdout } = await promisify(execFile)('npx', ['--no-install', 'medtrace', '--help'], { cwd: repoRoot, env: cleanEnv({ CI: 'true' }) });
    expect(stdout).toContain('Usage: medtrace <command>');
  });
});

describe('medtrace wrong use', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medtrace-cli-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('refuses an unknown command with exit 2, naming it and the commands there are', async () => {
    const result = await medtrace(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
    expect(result.stderr).toContain('verify');
  });

  it('refuses an unknown flag with exit 2 and points to the help', async () => {
    const result = await medtrace(['chain', '--colour', 'blue']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("'--colour'");
    expect(result.stderr).toContain('medtrace chain --help');
  });

  it('refuses verify without a file with exit 2', async () => {
    const result = await medtrace(['verify']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('missing argument <file>');
  });

  it('refuses a file that is not JSON with exit 2 and says why', async () => {
    const file = path.join(dir, 'broken.json');
    fs.writeFileSync(file, '{"version": 1, "envelope": ');
    const result = await medtrace(['verify', file, '--rpc', 'http://127.0.0.1:9']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file} is not valid JSON`);
  });

  it('refuses a missing file with exit 2 and names it', async () => {
    const file = path.join(dir, 'nowhere.json');
    const result = await medtrace(['verify', file, '--rpc', 'http://127.0.0.1:9']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`no such file: ${file}`);
  });

  it('refuses to verify with exit 2 when no chain is given and no local deployment exists', async () => {
    const file = path.join(dir, 'bundle.json');
    fs.writeFileSync(file, '{}');
    const result = await medtrace(['verify', file], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pass --rpc <url>');
  });

  it('refuses a JSON file that is not a bundle with exit 1 and the code BUNDLE_MALFORMED', async () => {
    const file = path.join(dir, 'not-a-bundle.json');
    fs.writeFileSync(file, JSON.stringify({ version: 1, hello: 'world' }));
    const result = await medtrace(['verify', file, '--rpc', 'http://127.0.0.1:9']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^refused: BUNDLE_MALFORMED/m);
  });

  it('refuses register without its required flags with exit 2', async () => {
    const result = await medtrace(['register', '--name', 'Acme'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--address is required');
  });
});

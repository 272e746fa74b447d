// `medtrace`: the one command-line entry (DESIGN section 10). Run through the
// bin shim scripts/medtrace.cjs (`npx medtrace …`) or `tsx scripts/cli.ts …`.
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../node/paths';
import { type Command, EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, commandHelp, parseCommandArgs } from './cli/command';
import { chainCommand } from './cli/chain';
import { nodeCommand } from './cli/node';
import { demoCommand } from './cli/demo';
import { verifyCommand } from './cli/verify';
import { registerCommand } from './cli/register';
import { identityCommand } from './cli/identity';
import { traceCommand } from './cli/trace';
import { recallCommand } from './cli/recall';

const COMMANDS: Command[] = [chainCommand, nodeCommand, demoCommand, registerCommand, verifyCommand, identityCommand, recallCommand, traceCommand];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'medtrace: traceability for medical devices, with proofs anyone can check against the chain.',
    '',
    'Usage: medtrace <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help     show this help (or `medtrace <command> --help`)',
    '  -v, --version  print the version',
    '',
  ].join('\n');
}

function version(): string {
  return JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version as string;
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(mainHelp());
    return EXIT_USAGE;
  }
  if (name === '-h' || name === '--help' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    process.stdout.write(topic ? commandHelp(topic) : mainHelp());
    return EXIT_OK;
  }
  if (name === '-v' || name === '--version') {
    process.stdout.write(`${version()}\n`);
    return EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`medtrace: unknown command '${name}'. Commands: ${COMMANDS.map((c) => c.name).join(', ')}. See \`medtrace --help\`.\n`);
    return EXIT_USAGE;
  }
  try {
    const args = parseCommandArgs(command, rest);
    if (args.help) {
      process.stdout.write(commandHelp(command));
      return EXIT_OK;
    }
    return await command.run(args);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`medtrace ${command.name}: ${err.message}\nSee \`medtrace ${command.name} --help\`.\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`medtrace ${command.name}: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.MEDTRACE_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    return EXIT_FAILED;
  }
}

// Exit explicitly: a provider or socket left open by a library must not keep a finished command alive
// (stdout and stderr are synchronous for files and pipes on Linux, so nothing printed is lost).
runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`medtrace: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(EXIT_FAILED);
  },
);

// Stops and starts the throwaway Postgres server of scripts/with-postgres.sh
// through the script it exports as TEST_PG_CTL, for tests that restart the
// database under load.
import { execFile } from 'node:child_process';

export type PgStopMode = 'fast' | 'immediate';

export interface PostgresControl {
  /** `fast`: sessions are told and ended; `immediate`: every server process quits at once (crash recovery on the next start). */
  stop(mode?: PgStopMode): Promise<void>;
  start(): Promise<void>;
}

/** The controls of the TEST_DATABASE_URL server, or undefined when TEST_PG_CTL is not set. */
export function postgresControl(): PostgresControl | undefined {
  const script = process.env.TEST_PG_CTL;
  if (!script) return undefined;
  const run = (...args: string[]) =>
    new Promise<void>((resolve, reject) => {
      execFile('bash', [script, ...args], { timeout: 90_000 }, (error, _stdout, stderr) =>
        error ? reject(new Error(`${script} ${args.join(' ')}: ${error.message}\n${stderr}`)) : resolve(),
      );
    });
  return {
    stop: (mode = 'fast') => run('stop', mode),
    start: () => run('start'),
  };
}

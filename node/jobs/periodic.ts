// A background job that runs a round every `pollMs`: one round at a time
// (runOnce during a round returns that round), the next round `pollMs` after
// the previous one ended, a failed round reported and retried at the next tick,
// and stop() waiting for the round in progress. The timer never keeps the
// process alive.
export interface PeriodicJob<T> {
  /** Runs a round now, or joins the one in progress. */
  runOnce(): Promise<T>;
  /** Stops the ticks and waits for the round in progress. */
  stop(): Promise<void>;
}

export interface PeriodicOptions<T> {
  round: () => Promise<T>;
  pollMs: number;
  /** Start ticking at once (default true); false: only runOnce() runs rounds (tests). */
  autoStart?: boolean;
  onResult?: (result: T) => void;
  onError: (error: unknown) => void;
}

export function startPeriodic<T>(options: PeriodicOptions<T>): PeriodicJob<T> {
  let running: Promise<T> | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const runOnce = () => {
    running ??= options.round().finally(() => {
      running = undefined;
    });
    return running;
  };
  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(tick, delayMs);
    timer.unref();
  };
  const tick = () => {
    timer = undefined;
    if (stopped) return;
    runOnce()
      .then(
        (result) => options.onResult?.(result),
        (error: unknown) => options.onError(error),
      )
      .finally(() => schedule(options.pollMs));
  };
  if (options.autoStart !== false) schedule(0);

  return {
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}

// Live refresh of an open view: `tick` runs every `intervalMs` while `root` is on
// the page and the tab is visible; one round at a time (the next waits for the
// previous); it stops for good once the view is left (root detached).
export interface Live {
  stop(): void;
  /** Run a round now (after a change the user made). */
  refresh(): Promise<void>;
}

export function live(root: HTMLElement, intervalMs: number, tick: () => Promise<void>): Live {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let running: Promise<void> | undefined;

  const schedule = () => {
    clearTimeout(timer);
    if (!stopped && document.visibilityState === 'visible') timer = setTimeout(() => void round(), intervalMs);
  };
  const round = async (): Promise<void> => {
    if (stopped) return;
    if (!root.isConnected) return stop();
    if (running) return running;
    running = tick()
      .catch(() => undefined) // the tick shows its own errors; the next round tries again
      .finally(() => {
        running = undefined;
        schedule();
      });
    return running;
  };
  const onVisibility = () => {
    if (!root.isConnected) return stop();
    if (document.visibilityState === 'visible') void round();
    else clearTimeout(timer);
  };
  function stop(): void {
    stopped = true;
    clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisibility);
    window.removeEventListener('hashchange', onLeave);
  }
  // The shell renders the next view into a new root on hashchange: this one is gone then.
  function onLeave(): void {
    queueMicrotask(() => {
      if (!root.isConnected) stop();
    });
  }
  document.addEventListener('visibilitychange', onVisibility);
  window.addEventListener('hashchange', onLeave);
  schedule();
  return { stop, refresh: round };
}

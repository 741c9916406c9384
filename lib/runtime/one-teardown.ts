// One teardown of a lab at a time, and none that a build outruns. A signal's cleanup and the
// command's own `finally` both tear the lab down, and two `docker rm` of the same containers make
// the second fail ("removal already in progress"), leaving the lab's directory behind: a teardown
// asked for while one is under way gets that one's result. And a teardown that comes while the
// lab is still being built (Ctrl-C mid-deploy) would sweep what exists, then the build would go
// on creating: the build stops at its next step, or at once where it waits (its signal aborts),
// and the teardown sweeps again once it has.
const inFlight = new Map<string, Promise<unknown>>();
const building = new Map<string, { done: Promise<unknown>; aborter: AbortController }>();
const stopping = new Set<string>();

/** Thrown at a build's next step once a teardown of its lab has begun. */
export class TeardownBegun extends Error {
  constructor(key: string) {
    super(`${key}: torn down while being built`);
  }
}

export function oneTeardown<T>(key: string, teardown: () => Promise<T>): Promise<T> {
  const running = inFlight.get(key) as Promise<T> | undefined;
  if (running) return running;
  const started = (async () => {
    stopping.add(key);
    building.get(key)?.aborter.abort(new TeardownBegun(key));
    try {
      const first = await teardown();
      const build = building.get(key);
      if (!build) return first;
      await build.done.catch(() => undefined);
      return await teardown();
    } finally {
      stopping.delete(key);
    }
  })().finally(() => inFlight.delete(key));
  inFlight.set(key, started);
  return started;
}

/**
 * Run a lab's build, handing it `step()` to call before each thing it creates, and a signal for
 * its waits: once a teardown of the lab has begun, step() throws TeardownBegun and the signal
 * aborts with it (a wait for routes that will never come stops at once, not at its deadline),
 * and that teardown sweeps again after the build has stopped.
 */
export function buildTracked<T>(key: string, build: (step: () => void, signal: AbortSignal) => Promise<T>): Promise<T> {
  const aborter = new AbortController();
  const step = () => {
    if (stopping.has(key)) throw new TeardownBegun(key);
  };
  const done = (async () => {
    step();
    return build(step, aborter.signal);
  })().finally(() => building.delete(key));
  building.set(key, { done, aborter });
  return done;
}

// One teardown of a lab at a time: a signal's cleanup and the command's own `finally` both tear
// the lab down, and two `docker rm` of the same containers make the second fail ("removal
// already in progress"), leaving the lab's directory behind. A teardown asked for while one is
// under way gets that one's result.
const inFlight = new Map<string, Promise<unknown>>();

export function oneTeardown<T>(key: string, teardown: () => Promise<T>): Promise<T> {
  const running = inFlight.get(key) as Promise<T> | undefined;
  if (running) return running;
  const started = teardown().finally(() => inFlight.delete(key));
  inFlight.set(key, started);
  return started;
}

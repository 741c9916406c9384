// Poll until a condition holds or a deadline passes; never sleep-and-hope. On timeout the
// error says what was expected, what was last seen, and who is at fault. Not an assertion:
// runtimes, probes and suites all poll with it, so it lives in the core, below them all.

export interface WaitForOptions {
  timeoutMs: number;
  /** Delays between attempts; the last one repeats. Network-sized by default. */
  intervalsMs?: readonly number[];
  /** What we are waiting for, for the timeout message. */
  description: string;
  /** Stops the wait at once, rejecting with the signal's reason (a lab torn down while it is being built). */
  signal?: AbortSignal;
}

/** What one attempt observed: `ok` when satisfied, otherwise why not (naming the culprit). */
export type Check<T> = { ok: true; value: T } | { ok: false; reason: string; value?: T };

export class WaitTimeoutError<T = unknown> extends Error {
  readonly lastSeen: T | undefined;
  readonly elapsedMs: number;
  constructor(description: string, reason: string, elapsedMs: number, lastSeen: T | undefined) {
    super(`timed out after ${(elapsedMs / 1000).toFixed(1)} s waiting for ${description}:\n${reason}`);
    this.name = 'WaitTimeoutError';
    this.lastSeen = lastSeen;
    this.elapsedMs = elapsedMs;
  }
}

const DEFAULT_INTERVALS = [50, 100, 200, 250];

/** `ms` of nothing, cut short by `signal` (rejecting with its reason). */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Resolves with the satisfying value and the time it took; rejects with WaitTimeoutError. */
export async function waitFor<T>(attempt: () => Promise<Check<T>>, opts: WaitForOptions): Promise<{ value: T; elapsedMs: number; attempts: number }> {
  const intervals = opts.intervalsMs ?? DEFAULT_INTERVALS;
  const started = performance.now();
  let last: Check<T> | undefined;
  for (let i = 0; ; i++) {
    opts.signal?.throwIfAborted();
    try {
      last = await attempt();
    } catch (e) {
      last = { ok: false, reason: (e as Error).message };
    }
    const elapsedMs = performance.now() - started;
    if (last.ok) return { value: last.value, elapsedMs, attempts: i + 1 };
    if (elapsedMs >= opts.timeoutMs) throw new WaitTimeoutError(opts.description, last.reason, elapsedMs, last.value);
    const delay = intervals[Math.min(i, intervals.length - 1)]!;
    await pause(Math.min(delay, Math.max(0, opts.timeoutMs - elapsedMs)), opts.signal);
  }
}

/**
 * Poll `observe` until `culprits(seen)` is empty. On timeout the error lists every culprit of
 * the last look, and carries what was seen (`lastSeen`) for the report.
 */
export function waitForNoCulprits<T>(observe: () => Promise<T>, culprits: (seen: T) => string[], opts: WaitForOptions): Promise<{ value: T; elapsedMs: number; attempts: number }> {
  return waitFor(async () => {
    const seen = await observe();
    const found = culprits(seen);
    return found.length ? { ok: false, reason: found.join('\n'), value: seen } : { ok: true, value: seen };
  }, opts);
}

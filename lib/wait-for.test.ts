import { describe, expect, it } from 'vitest';
import { waitFor, WaitTimeoutError, type Check } from './wait-for.ts';

/** An attempt that replays `script` (the last entry repeats), counting its calls and their times. */
function scripted<T>(script: (() => Check<T>)[]) {
  const calls: number[] = [];
  const attempt = async () => {
    calls.push(performance.now());
    return script[Math.min(calls.length - 1, script.length - 1)]!();
  };
  return { attempt, calls };
}
const notYet = (reason: string, value?: number): (() => Check<number>) => () => ({ ok: false, reason, value });
const done = (value: number): (() => Check<number>) => () => ({ ok: true, value });
const boom = (message: string): (() => Check<number>) => () => {
  throw new Error(message);
};

async function rejection(p: Promise<unknown>): Promise<WaitTimeoutError<number>> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(WaitTimeoutError);
  return e as WaitTimeoutError<number>;
}

describe('waitFor', () => {
  it('resolves at once when the first attempt passes', async () => {
    const { attempt, calls } = scripted([done(7)]);
    const r = await waitFor(attempt, { timeoutMs: 500, description: 'x' });
    expect(r).toMatchObject({ value: 7, attempts: 1 });
    expect(calls).toHaveLength(1);
  });

  it('keeps polling until the check passes, and says how long it took', async () => {
    const { attempt, calls } = scripted([notYet('a'), notYet('b'), done(42)]);
    const r = await waitFor(attempt, { timeoutMs: 500, intervalsMs: [5], description: 'x' });
    expect(r.value).toBe(42);
    expect(r.attempts).toBe(3);
    expect(calls).toHaveLength(3);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(calls[2]! - calls[0]!);
  });

  it('retries after an attempt throws', async () => {
    const { attempt } = scripted([boom('vtysh: connection refused'), boom('vtysh: connection refused'), done(1)]);
    await expect(waitFor(attempt, { timeoutMs: 500, intervalsMs: [5], description: 'x' })).resolves.toMatchObject({ value: 1, attempts: 3 });
  });

  it('times out with the description and the last reason seen, not the first', async () => {
    const { attempt, calls } = scripted([notYet('leaf1: session to spine1 is Connect', 1), notYet('leaf1: session to spine1 is Idle', 2)]);
    const err = await rejection(waitFor(attempt, { timeoutMs: 150, intervalsMs: [10], description: 'BGP sessions on leaf1 to be Established' }));
    expect(calls.length).toBeGreaterThan(2);
    expect(err.message).toContain('waiting for BGP sessions on leaf1 to be Established');
    expect(err.message).toContain('leaf1: session to spine1 is Idle');
    expect(err.message).not.toContain('Connect');
    expect(err.lastSeen).toBe(2);
    expect(err.elapsedMs).toBeGreaterThanOrEqual(150);
    expect(err.message).toMatch(/^timed out after \d+\.\d s/);
  });

  it('times out with a thrown error’s message as the reason', async () => {
    const { attempt } = scripted([boom('host3: bgpd is not running')]);
    const err = await rejection(waitFor(attempt, { timeoutMs: 60, intervalsMs: [10], description: 'bgpd' }));
    expect(err.message).toContain('host3: bgpd is not running');
    expect(err.lastSeen).toBeUndefined();
  });

  it('does not sleep past the deadline, however long the interval', async () => {
    const { attempt, calls } = scripted([notYet('no')]);
    const started = performance.now();
    await rejection(waitFor(attempt, { timeoutMs: 100, intervalsMs: [60_000], description: 'x' }));
    expect(performance.now() - started).toBeLessThan(400);
    // It still makes a last attempt at the deadline (timers may fire a hair early, so maybe two).
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.at(-1)! - calls[0]!).toBeGreaterThanOrEqual(95);
  });

  it('stops at once when its signal aborts, with the signal\'s reason, mid-pause or before an attempt', async () => {
    const aborter = new AbortController();
    const { attempt, calls } = scripted([notYet('no route')]);
    const waiting = waitFor(attempt, { timeoutMs: 600_000, intervalsMs: [60_000], description: 'x', signal: aborter.signal });
    await new Promise((r) => setTimeout(r, 20));
    aborter.abort(new Error('torn down'));
    await expect(waiting).rejects.toThrow('torn down');
    expect(calls.length).toBe(1);
    await expect(waitFor(attempt, { timeoutMs: 1000, description: 'x', signal: aborter.signal })).rejects.toThrow('torn down');
    expect(calls.length).toBe(1);
  });

  it('waits the given intervals between attempts, repeating the last', async () => {
    const { attempt, calls } = scripted([notYet('1'), notYet('2'), notYet('3'), done(0)]);
    await waitFor(attempt, { timeoutMs: 500, intervalsMs: [10, 40], description: 'x' });
    const gaps = calls.slice(1).map((t, i) => t - calls[i]!);
    // Timers never fire early by more than clock granularity; allow 2 ms.
    expect(gaps[0]).toBeGreaterThanOrEqual(8);
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
    expect(gaps[2]).toBeGreaterThanOrEqual(38);
  });
});

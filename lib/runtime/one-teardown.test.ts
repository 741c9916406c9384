import { describe, expect, it } from 'vitest';
import { buildTracked, oneTeardown, TeardownBegun } from './one-teardown.ts';
import { waitFor } from '../wait-for.ts';

describe('oneTeardown', () => {
  it('gives a teardown asked for while one runs that one, not a second', async () => {
    let runs = 0;
    let finish = () => {};
    const teardown = () => new Promise<string>((r) => ((runs += 1), (finish = () => r(`report ${runs}`))));
    const first = oneTeardown('docker:lab1', teardown);
    const second = oneTeardown('docker:lab1', teardown);
    finish();
    expect(await Promise.all([first, second])).toEqual(['report 1', 'report 1']);
    expect(runs).toBe(1);
  });

  it('runs again once the last one has finished, and keeps labs apart', async () => {
    let runs = 0;
    const teardown = async () => ++runs;
    expect(await oneTeardown('netns:a', teardown)).toBe(1);
    expect(await oneTeardown('netns:a', teardown)).toBe(2);
    expect(await Promise.all([oneTeardown('netns:b', teardown), oneTeardown('netns:c', teardown)])).toEqual([3, 4]);
  });

  it('passes a failure to everyone waiting, and lets the next try start afresh', async () => {
    const failing = oneTeardown('docker:x', async () => Promise.reject(new Error('docker rm failed')));
    const waiting = oneTeardown('docker:x', async () => 'never run');
    await expect(failing).rejects.toThrow('docker rm failed');
    await expect(waiting).rejects.toThrow('docker rm failed');
    expect(await oneTeardown('docker:x', async () => 'ok')).toBe('ok');
  });

  it('a teardown that comes mid-build stops the build at its next step, then sweeps again what the build made meanwhile', async () => {
    const made: string[] = [];
    const sweeps: string[][] = [];
    let release = () => {};
    const midway = new Promise<void>((r) => (release = r));
    const build = buildTracked('netns:mid', async (step) => {
      step();
      made.push('netns np.mid.a');
      const creating = new Promise<void>((r) => setTimeout(r, 20)).then(() => made.push('netns np.mid.b'));
      release();
      await creating;
      step();
      made.push('never: the build went on past a teardown');
    });
    await midway;
    const teardown = oneTeardown('netns:mid', async () => {
      sweeps.push([...made]);
      made.length = 0;
      return 'swept';
    });
    await expect(build).rejects.toBeInstanceOf(TeardownBegun);
    expect(await teardown).toBe('swept');
    expect(sweeps).toEqual([['netns np.mid.a'], ['netns np.mid.b']]);
    expect(made).toEqual([]);
  });

  it('a teardown that comes while the build waits (for routes that will never come) stops the wait at once, not at its deadline', async () => {
    // A deadline far past the test's own timeout: only the abort can end this wait in time.
    const build = buildTracked('netns:waiting', (step, signal) =>
      waitFor(async () => ({ ok: false, reason: 'host1 has no route to the OVN central' }), { timeoutMs: 600_000, intervalsMs: [50], description: 'host1 to learn a route', signal }),
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(await oneTeardown('netns:waiting', async () => 'swept')).toBe('swept');
    await expect(build).rejects.toBeInstanceOf(TeardownBegun);
  });

  it('a build with no teardown under way runs to its end, and a later teardown sweeps once', async () => {
    let sweeps = 0;
    expect(await buildTracked('netns:calm', async (step) => (step(), 'built'))).toBe('built');
    await oneTeardown('netns:calm', async () => ++sweeps);
    expect(sweeps).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import type { StartedLab } from '../lab/started-lab.ts';
import { deadlineStart } from './deadline.ts';

/** A lab of two routers and two hosts (four nodes: every check polls at least 10.1 s). */
const deployedAt = (ms: number) =>
  ({
    times: { deployStartedAt: ms, deployedAt: ms + 5_000 },
    topology: { nodes: [{ tier: 'spine' }, { tier: 'leaf' }, { tier: 'vm' }, { tier: 'vm' }] },
  }) as StartedLab;

describe('deadlineStart', () => {
  it('counts from the end of the deploy during `netproof run` (no run start given): a slow deploy does not eat the time to converge', () => {
    expect(deadlineStart(deployedAt(1_000), 0)).toBe(6_000);
  });

  it('counts from the run of the checks when the lab was deployed earlier (`netproof test`): full deadlines, not leftovers', () => {
    const anHourAgo = Date.now() - 3_600_000;
    const now = Date.now();
    expect(deadlineStart(deployedAt(anHourAgo), now)).toBe(now);
  });

  it('ignores a run start that is not a number', () => {
    expect(deadlineStart(deployedAt(1_000), Number.NaN)).toBe(6_000);
  });
});

describe('checkTimeoutMs', () => {
  it("gives a check late in a run at least the lab's least check time (10 s + 25 ms per node), or the whole deadline if that is shorter", async () => {
    const { checkTimeoutMs } = await import('./deadline.ts');
    const long = deployedAt(Date.now() - 3_600_000);
    process.env.NETPROOF_CONVERGENCE_TIMEOUT_S = '60';
    expect(checkTimeoutMs(long)).toBe(10_100);
    process.env.NETPROOF_CONVERGENCE_TIMEOUT_S = '2';
    expect(checkTimeoutMs(long)).toBe(2_000);
    delete process.env.NETPROOF_CONVERGENCE_TIMEOUT_S;
  });

  it("without netproof run's setting (a user's own vitest run), takes the convergence deadline from the lab's size", async () => {
    const { remainingMs } = await import('./deadline.ts');
    delete process.env.NETPROOF_CONVERGENCE_TIMEOUT_S;
    const justNow = deployedAt(Date.now() - 5_000);
    // Two FRR routers: 60.5 s, rounded up to 61 s, from the end of the deploy (now).
    expect(remainingMs(justNow)).toBeGreaterThan(60_000);
    expect(remainingMs(justNow)).toBeLessThanOrEqual(61_000);
  });
});

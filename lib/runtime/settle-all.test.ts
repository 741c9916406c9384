import { describe, expect, it } from 'vitest';
import { settleAll } from './settle-all.ts';

describe('settleAll', () => {
  it('gives every value in order', async () => {
    expect(await settleAll([Promise.resolve(1), new Promise((r) => setTimeout(() => r(2), 5))])).toEqual([1, 2]);
  });

  it('throws the first failure only once every task has settled', async () => {
    let slowDone = false;
    const slow = new Promise<void>((r) => setTimeout(() => ((slowDone = true), r()), 30));
    await expect(settleAll([Promise.reject(new Error('first')), slow, Promise.reject(new Error('second'))])).rejects.toThrow('first');
    expect(slowDone).toBe(true);
  });
});

// Promise.all for a build: wait for every task to settle before passing on the first failure.
// Promise.all rejects at the first failure while the others go on, and a teardown that sweeps
// the lab then (a failed or interrupted deploy) would miss what they create after it.

/** Every task's value in order; if any failed, the first failure, thrown once all have settled. */
export async function settleAll<T>(tasks: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(tasks);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

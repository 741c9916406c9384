// Ctrl-C and SIGTERM during any command: run the registered cleanups (tear down what was
// deployed), then exit 130/143 as a shell would. A second signal exits at once. Cleanups run
// innermost first, one after another: the suites' workers stop probing before the lab they
// probe is torn down, so nothing of theirs outlives the lab.
type Cleanup = () => Promise<void>;

const cleanups = new Set<Cleanup>();
const realExit = process.exit.bind(process);
let installed = false;
let exiting = false;

function install(): void {
  if (installed) return;
  installed = true;
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.on(sig, () => {
      if (exiting) realExit(code);
      exiting = true;
      // Libraries with their own handlers (vitest's logger) call process.exit a moment later;
      // hold every exit until the lab is torn down.
      process.exit = (() => undefined) as typeof process.exit;
      process.stderr.write(`\n${sig}: undoing what this command did (send it again to exit at once)\n`);
      void (async () => {
        for (const cleanup of [...cleanups].reverse()) {
          await cleanup().catch((e: unknown) => process.stderr.write(`cleanup failed: ${(e as Error).message}\n`));
        }
        realExit(code);
      })();
    });
  }
}

/** Whether a signal arrived: the lab is being torn down, and nothing more may touch it. */
export function interrupted(): boolean {
  return exiting;
}

/** Run `cleanup` if the process is interrupted while `body` runs. */
export async function withInterruptCleanup<T>(cleanup: Cleanup, body: () => Promise<T>): Promise<T> {
  install();
  cleanups.add(cleanup);
  try {
    return await body();
  } finally {
    cleanups.delete(cleanup);
  }
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Run `setup`, then drop any SIGINT/SIGTERM handlers it added. vitest's logger exits the
 * process on these signals a millisecond later, which would skip the lab's teardown; our
 * handler tears down first and then exits with the same code.
 */
export async function keepingOurSignalHandlers<T>(setup: () => Promise<T>): Promise<T> {
  install();
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const result = await setup();
  for (const s of SIGNALS) for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.off(s, l);
  return result;
}

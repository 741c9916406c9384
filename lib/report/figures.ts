// Measured figures (convergence seconds, loss ms, overhead bytes…) and observed matrices
// travel from a test to summary.json and state.json in the test's meta, which vitest hands to
// reporters in the main process.
import type { TestContext } from 'vitest';

export interface Figure {
  value: number;
  unit: string;
  /** What the figure means and how it was measured, for the reader of the report. */
  description?: string;
  /** The most it may be, where the intent declares or implies a budget (same unit). */
  budget?: number;
}

declare module 'vitest' {
  interface TaskMeta {
    netproofFigures?: Record<string, Figure>;
  }
}

export function recordFigure(ctx: Pick<TestContext, 'task'>, name: string, figure: Figure): void {
  ctx.task.meta.netproofFigures = { ...ctx.task.meta.netproofFigures, [name]: figure };
}

/** What a check saw, cell by cell, for the lab's state snapshot (state.json): compared by `netproof change` and `--baseline`. */
export interface Observations {
  /** `vm1 → vm2` → reply / no reply. */
  reachability?: Record<string, 'reply' | 'no reply'>;
  /** `vm1 → vm2 tcp/5432` → allow / deny, as observed. */
  acl?: Record<string, 'allow' | 'deny'>;
  /** `host1 → host2` → the largest don't-fragment inner packet, in bytes. */
  largestPacket?: Record<string, number>;
}

declare module 'vitest' {
  interface TaskMeta {
    netproofObservations?: Observations;
  }
}

export function recordObservations(ctx: Pick<TestContext, 'task'>, seen: Observations): void {
  const had = ctx.task.meta.netproofObservations ?? {};
  ctx.task.meta.netproofObservations = {
    reachability: { ...had.reachability, ...seen.reachability },
    acl: { ...had.acl, ...seen.acl },
    largestPacket: { ...had.largestPacket, ...seen.largestPacket },
  };
}

// Measured figures (convergence seconds, loss ms, overhead bytes…) travel from a test to
// summary.json in the test's meta, which vitest hands to reporters in the main process.
import type { TestContext } from 'vitest';

export interface Figure {
  value: number;
  unit: string;
  /** What the figure means and how it was measured, for the reader of the report. */
  description?: string;
}

declare module 'vitest' {
  interface TaskMeta {
    netproofFigures?: Record<string, Figure>;
  }
}

export function recordFigure(ctx: Pick<TestContext, 'task'>, name: string, figure: Figure): void {
  ctx.task.meta.netproofFigures = { ...ctx.task.meta.netproofFigures, [name]: figure };
}

// Errors that carry the CLI's exit code, so every layer can fail the same way:
// 1 = a check failed, 2 = bad input or usage, 3 = the environment is not fit.

export const EXIT = { ok: 0, failed: 1, usage: 2, environment: 3 } as const;

export class NetproofError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad command-line usage or bad input: exit 2, nothing deployed. */
export class UsageError extends NetproofError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

/** One problem in an input file, located and with the fix. */
export interface Problem {
  file: string;
  line: number;
  column: number;
  /** Path of the offending field, e.g. `topology.links[2].endpoints[1]`. */
  field: string;
  message: string;
  fix: string;
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.field}: ${p.message}\n    fix: ${p.fix}`;
}

/** Every problem found in an input file, reported at once: exit 2. */
export class InvalidInputError extends NetproofError {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    const n = problems.length;
    const files = [...new Set(problems.map((p) => p.file))];
    const where = files.length > 1 ? `${files.length} files` : (files[0] ?? 'input');
    super(`${n} problem${n === 1 ? '' : 's'} in ${where}:\n${problems.map(formatProblem).join('\n')}`, EXIT.usage);
    this.problems = problems;
  }
}

/**
 * The lab itself is broken — a daemon refused to start, a bring-up step failed on a node:
 * exit 1, like a failed check, with the node and the evidence (the daemon's own log lines).
 * Not the environment's fault (that is exit 3).
 */
export class LabError extends NetproofError {
  constructor(message: string) {
    super(message, EXIT.failed);
  }
}

/** The machine lacks something netproof needs: exit 3, with the command that fixes it. */
export class EnvironmentError extends NetproofError {
  readonly fixCommand: string;
  constructor(message: string, fixCommand: string) {
    super(`${message}\n    fix: ${fixCommand}`, EXIT.environment);
    this.fixCommand = fixCommand;
  }
}

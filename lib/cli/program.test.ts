// --retries and --protect as the command line reads them: a bad value is exit 2 that names the
// option (and, for --protect, lists the suites) before anything is loaded or deployed.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXIT } from '../errors.ts';
import { cliProgram, main } from './program.ts';
import { SUITE_NAMES } from './run.ts';

/** main() on these arguments, and what it wrote to stderr. Only arguments refused while parsing: no action runs. */
async function refused(...args: string[]): Promise<{ exitCode: number; stderr: string }> {
  let stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const exitCode = await main(['node', 'netproof', ...args]);
  return { exitCode, stderr };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('--retries', () => {
  for (const verb of [['run', 'dc.clab.yml'], ['test', 'dc'], ['change', 'a.clab.yml', 'b.clab.yml']]) {
    it(`netproof ${verb[0]} refuses a value that is not a whole number ≥ 0 with exit 2`, async () => {
      for (const bad of ['-1', '1.5', 'two', '']) {
        const r = await refused(...verb, '--retries', bad);
        expect(r.exitCode, bad).toBe(EXIT.usage);
        expect(r.stderr, bad).toContain('--retries must be a whole number');
      }
    });
  }
});

describe('--protect', () => {
  it('refuses a suite netproof does not have with exit 2, naming the option and listing the suites', async () => {
    for (const verb of [['run', 'dc.clab.yml'], ['test', 'dc'], ['change', 'a.clab.yml', 'b.clab.yml']]) {
      const r = await refused(...verb, '--protect', 'bfd-failover', '--protect', 'bfd-failvoer');
      expect(r.exitCode, verb[0]).toBe(EXIT.usage);
      expect(r.stderr, verb[0]).toContain(`option '--protect <suite>' argument 'bfd-failvoer' is invalid. no suite "bfd-failvoer" (suites: ${SUITE_NAMES.join(', ')})`);
    }
  });
});

describe('run, test and change', () => {
  it('take --retries (default 0) and --protect (repeatable, default none)', () => {
    for (const name of ['run', 'test', 'change']) {
      const command = cliProgram().commands.find((c) => c.name() === name)!;
      expect(command.options.find((o) => o.long === '--retries')?.defaultValue, name).toBe(0);
      expect(command.options.find((o) => o.long === '--protect')?.defaultValue, name).toEqual([]);
    }
  });
});

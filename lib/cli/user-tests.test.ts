import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import { userTestFiles } from './run.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netproof-user-tests-'));
  await mkdir(join(dir, 'my-checks', 'deeper'), { recursive: true });
  for (const f of ['my-checks/db.test.ts', 'my-checks/deeper/web.test.ts', 'my-checks/notes.md']) await writeFile(join(dir, f), '');
});

describe('userTestFiles', () => {
  it('expands globs relative to the working directory into absolute paths, each file once', async () => {
    expect(await userTestFiles(['my-checks/**/*.test.ts', 'my-checks/db.test.ts'], dir)).toEqual([join(dir, 'my-checks/db.test.ts'), join(dir, 'my-checks/deeper/web.test.ts')]);
  });

  it('refuses a glob that matches nothing, naming it and the directory (exit 2)', async () => {
    const e = await userTestFiles(['checks/*.test.ts'], dir).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).exitCode).toBe(2);
    expect((e as Error).message).toContain(`--tests 'checks/*.test.ts' matches no file (relative to ${dir})`);
  });

  it('adds nothing without globs', async () => {
    expect(await userTestFiles([], dir)).toEqual([]);
  });
});

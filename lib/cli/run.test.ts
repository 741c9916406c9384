import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ownFile } from '../paths.ts';
import { SUITE_NAMES, SUITES_DIR, suiteFiles } from './run.ts';

describe('suiteFiles', () => {
  it('names every suite file, in run order, where this copy of netproof keeps it', () => {
    const files = suiteFiles([]);
    expect(files).toEqual(SUITE_NAMES.map((n) => ownFile(`suites/${n}.test.ts`)));
    for (const f of files) {
      expect(f.startsWith(`${SUITES_DIR}/`), f).toBe(true);
      expect(existsSync(f), f).toBe(true);
    }
  });

  it('keeps the order asked for and refuses unknown suites, listing the known ones', () => {
    expect(suiteFiles(['acl', 'frr-config'])).toEqual([ownFile('suites/acl.test.ts'), ownFile('suites/frr-config.test.ts')]);
    expect(() => suiteFiles(['acl', 'nope'])).toThrow(`unknown suite: nope (suites: ${SUITE_NAMES.join(', ')})`);
  });
});

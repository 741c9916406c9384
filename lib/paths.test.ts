import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ciScriptCommand, displayPath, LAYOUT, ownFile, ownFileIn, PROJECT_ROOT } from './paths.ts';

describe('ownFileIn', () => {
  const root = '/srv/app/node_modules/netproof/';

  it('keeps source paths as they are in a clone', () => {
    expect(ownFileIn('source', '/work/netproof/', 'lib/traffic/trafgen.ts')).toBe('/work/netproof/lib/traffic/trafgen.ts');
    expect(ownFileIn('source', '/work/netproof/', 'suites/**/*.test.ts')).toBe('/work/netproof/suites/**/*.test.ts');
  });

  it('maps compiled code to dist/ and .js in an installed package', () => {
    expect(ownFileIn('built', root, 'lib/traffic/trafgen.ts')).toBe(`${root}dist/lib/traffic/trafgen.js`);
    expect(ownFileIn('built', root, 'suites/acl.test.ts')).toBe(`${root}dist/suites/acl.test.js`);
    expect(ownFileIn('built', root, 'fixtures/lab.ts')).toBe(`${root}dist/fixtures/lab.js`);
  });

  it('maps folders and globs the same way', () => {
    expect(ownFileIn('built', root, 'suites')).toBe(`${root}dist/suites`);
    expect(ownFileIn('built', root, 'suites/**/*.test.ts')).toBe(`${root}dist/suites/**/*.test.js`);
  });

  it('leaves files that ship as they are (ci/, README) at the package root', () => {
    expect(ownFileIn('built', root, 'ci/bootstrap.sh')).toBe(`${root}ci/bootstrap.sh`);
    expect(ownFileIn('built', root, 'README.md')).toBe(`${root}README.md`);
    expect(ownFileIn('built', root, 'libs/x.ts')).toBe(`${root}libs/x.ts`);
  });

  it('refuses paths outside the project', () => {
    expect(() => ownFileIn('built', root, '/etc/passwd')).toThrow(/relative to its root/);
    expect(() => ownFileIn('source', root, '../shared/x.json')).toThrow(/relative to its root/);
    expect(() => ownFileIn('source', root, 'lib/../../x')).toThrow(/relative to its root/);
  });
});

describe('in this clone', () => {
  it('runs from source, rooted at the package', () => {
    expect(LAYOUT).toBe('source');
    expect(JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')).name).toBe('netproof');
    // The Docker runtime relies on the trailing slash to tell files under the root from siblings.
    expect(PROJECT_ROOT.endsWith('/')).toBe(true);
  });

  it('finds the files netproof names at run time', () => {
    for (const f of ['lib/traffic/trafgen.ts', 'lib/cli/main.ts', 'suites/acl.test.ts', 'ci/bootstrap.sh', 'ci/build-node-image.sh']) expect(existsSync(ownFile(f)), f).toBe(true);
  });
});

describe('displayPath', () => {
  it('is relative inside the working directory, absolute outside it', () => {
    expect(displayPath('/tmp/u/node_modules/netproof/ci/bootstrap.sh', '/tmp/u')).toBe('node_modules/netproof/ci/bootstrap.sh');
    expect(displayPath('/work/netproof/ci/bootstrap.sh', '/tmp/u')).toBe('/work/netproof/ci/bootstrap.sh');
    expect(displayPath('/tmp/u', '/tmp/u')).toBe('/tmp/u');
    expect(displayPath('/tmp/u..x/ci/a.sh', '/tmp/u')).toBe('/tmp/u..x/ci/a.sh');
  });
});

describe('ciScriptCommand', () => {
  it('is the command line a user types for one of the shipped ci/ scripts', () => {
    expect(ciScriptCommand('bootstrap.sh', '--docker')).toMatch(/^sh (\S*\/)?ci\/bootstrap\.sh --docker$/);
  });
});

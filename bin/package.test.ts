// The package `npm pack` makes, as a user installs it: the launcher, the built CLI and suites,
// what they import, and the ci/ scripts fix messages name; no sources and no project tests.
// `npm pack --dry-run` still runs prepack, so this builds dist/ (tsc, ≈10–20 s).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SUITE_NAMES } from '../lib/cli/run.ts';
import { exec } from '../lib/exec.ts';
import { PROJECT_ROOT } from '../lib/paths.ts';

const PACK_TIMEOUT_MS = 120_000;
const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'));

describe('npm pack', () => {
  let files: string[] = [];

  beforeAll(async () => {
    // A directory spec packs the project from anywhere; the tarball itself is not written.
    const r = await exec(['npm', 'pack', PROJECT_ROOT, '--dry-run', '--json'], { timeoutMs: PACK_TIMEOUT_MS });
    if (r.exitCode !== 0) throw new Error(`npm pack --dry-run failed (exit ${r.exitCode}):\n${r.stderr}`);
    files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
  }, PACK_TIMEOUT_MS);

  it('ships the launcher, the built CLI and the conformance suites', () => {
    expect(files).toContain(pkg.bin.netproof);
    expect(files).toContain('dist/lib/cli/main.js');
    expect(files).toContain('dist/lib/traffic/trafgen.js');
    for (const name of SUITE_NAMES) expect(files).toContain(`dist/suites/${name}.test.js`);
  });

  it('ships the ci/ scripts that fix messages point at, and the README', () => {
    for (const f of ['ci/bootstrap.sh', 'ci/build-node-image.sh', 'ci/node-image.Dockerfile', 'README.md']) expect(files).toContain(f);
  });

  it('ships no TypeScript sources and none of the project tests', () => {
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => /^dist\/lib\/.*\.test\.(js|d\.ts)$/.test(f) || f.startsWith('bin/') && f !== pkg.bin.netproof)).toEqual([]);
  });

  it('ships every module the built code imports by relative path', () => {
    const shipped = new Set(files);
    const missing: string[] = [];
    for (const f of files.filter((p) => p.endsWith('.js') || p.endsWith('.d.ts'))) {
      const text = readFileSync(join(PROJECT_ROOT, f), 'utf8');
      for (const [, spec] of text.matchAll(/(?:from|import\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const target = normalize(join(dirname(f), spec!));
        // tsc rewrites .ts to .js in JavaScript only: declarations keep `./x.ts`, which TypeScript resolves to ./x.d.ts.
        const candidates = [target, target.replace(/\.(js|ts)$/, '.d.ts')];
        if (!candidates.some((c) => shipped.has(c))) missing.push(`${f} imports ${spec}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('ships what the exports map names, once lib/testkit exists', () => {
    if (!existsSync(join(PROJECT_ROOT, 'lib/testkit/index.ts'))) return;
    for (const path of Object.values(pkg.exports['./testkit'] as Record<string, string>)) expect(files).toContain(normalize(path));
  });
});

describe('package.json', () => {
  it("says the clone develops on the Node its node devDependency installs (devEngines), whatever Node runs npm", () => {
    expect(pkg.devEngines.runtime).toEqual({ name: 'node', version: pkg.devDependencies.node, onFail: 'ignore' });
  });

  it("gives users what runs (vitest, allure) and keeps typescript, types and the clone's Node out of their installs", () => {
    for (const dev of ['typescript', '@types/node', '@types/shell-quote', 'node']) expect(pkg.dependencies[dev], dev).toBeUndefined();
    for (const runtime of ['vitest', 'allure-vitest', 'allure-js-commons']) expect(pkg.dependencies[runtime], runtime).toBeDefined();
  });
});

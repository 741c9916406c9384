import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkLayers, describeBackEdge, describeUnplaced, moduleSpecifiers } from './layer-check.ts';
import { PROJECT_ROOT } from './paths.ts';

/** Back-edges being removed elsewhere. Each must still occur, so the fixed ones get deleted here. */
const KNOWN_EXCEPTIONS: { from: string; to: string }[] = [];
const isKnown = (e: { from: string; to: string }) => KNOWN_EXCEPTIONS.some((k) => k.from === e.from && k.to === e.to);

/** Every module of the project (tests are not layered: they may build inputs from any layer). */
function projectModules(): Map<string, string> {
  const files = new Map<string, string>();
  for (const dir of ['lib', 'suites', 'fixtures']) {
    for (const rel of readdirSync(join(PROJECT_ROOT, dir), { recursive: true, encoding: 'utf8' })) {
      if (!rel.endsWith('.ts') || rel.endsWith('.test.ts') || rel.endsWith('.d.ts')) continue;
      const path = `${dir}/${rel}`;
      files.set(path, readFileSync(join(PROJECT_ROOT, path), 'utf8'));
    }
  }
  return files;
}

describe('the layers of lib/layers.ts', () => {
  const report = checkLayers(projectModules());

  it('hold every module', () => {
    expect(report.unplaced.map(describeUnplaced)).toEqual([]);
  });

  it('are never imported upwards', () => {
    expect(report.backEdges.filter((e) => !isKnown(e)).map(describeBackEdge)).toEqual([]);
  });

  it('list only exceptions that still occur', () => {
    const stale = KNOWN_EXCEPTIONS.filter((k) => !report.backEdges.some((e) => e.from === k.from && e.to === k.to));
    expect(stale.map((k) => `${k.from} no longer imports ${k.to}: delete it from KNOWN_EXCEPTIONS`)).toEqual([]);
  });

  it('were checked against the real import graph', () => {
    // A parser that found nothing would pass the two checks above vacuously.
    expect(report.edges).toBeGreaterThan(200);
  });
});

describe('checkLayers', () => {
  const check = (files: Record<string, string>) => {
    const r = checkLayers(new Map(Object.entries(files)));
    return [...r.backEdges.map(describeBackEdge), ...r.unplaced.map(describeUnplaced)];
  };

  it('names a seeded back-edge, the layers and their order', () => {
    expect(check({ 'lib/render/clab-export.ts': `import { daemonsForFiles } from '../runtime/frr-daemons.ts';` })).toEqual([
      'lib/render/clab-export.ts imports lib/runtime/frr-daemons.ts: render may not import runtime (render is below runtime)',
    ]);
  });

  it('counts every form of import, type-only ones included', () => {
    const upward = [
      `import type { StartedLab } from '../lab/started-lab.ts';`,
      `import { type NodeHandle } from '../lab/a.ts';`,
      `export { x } from '../lab/b.ts';`,
      `export * from '../lab/c.ts';`,
      `export type { Y } from '../lab/d.ts';`,
      `const m = await import('../lab/e.ts');`,
      'const n = await import(`../lab/f.ts`);',
      `let t: typeof import('../lab/g.ts');`,
      `import '../lab/h.ts';`,
    ];
    expect(check({ 'lib/plan/seeded.ts': upward.join('\n') })).toHaveLength(upward.length);
  });

  it('allows its own layer and the layers below, and ignores what is not an import', () => {
    const fine = [
      `import { UsageError } from '../errors.ts';`, // core, below
      `import type { Topology } from '../model/topology.ts';`, // model, below
      `import { planClos } from '../plan/clos.ts';`, // plan, below
      `import { renderClab } from './clab.ts';`, // render, own
      `import { quote } from 'shell-quote';`, // a package
      `// import { bringUp } from '../runtime/bring-up.ts';`,
      `const doc = "import { x } from '../cli/main.ts'";`,
      `const lazy = (p: string) => import(p);`,
    ];
    expect(check({ 'lib/render/seeded.ts': fine.join('\n') })).toEqual([]);
  });

  it('puts a file in the longest path that holds it', () => {
    const layers = [
      { name: 'low', paths: ['lib/a/inner.ts'] },
      { name: 'high', paths: ['lib/a'] },
    ];
    const r = checkLayers(new Map([['lib/a/inner.ts', `import { x } from './outer.ts';`]]), layers);
    expect(r.backEdges.map(describeBackEdge)).toEqual(['lib/a/inner.ts imports lib/a/outer.ts: low may not import high (low is below high)']);
  });

  it('keeps the host out of the core: exec is a layer of its own, above render', () => {
    expect(check({ 'lib/names.ts': `import { exec } from './exec.ts';` })).toEqual(['lib/names.ts imports lib/exec.ts: core may not import exec (core is below exec)']);
    expect(check({ 'lib/render/seeded.ts': `import { exec } from '../exec.ts';` })).toEqual(['lib/render/seeded.ts imports lib/exec.ts: render may not import exec (render is below exec)']);
  });

  it('names a file no layer holds', () => {
    expect(check({ 'lib/stray.ts': `export const x = 1;` })).toEqual(['lib/stray.ts is in no layer: add it, or its folder, to LAYERS in lib/layers.ts']);
  });

  it('reads specifiers, not text', () => {
    expect(moduleSpecifiers('x.ts', `/* import '../a.ts' */ import b from './b.ts'; export * as c from "./c.ts";`)).toEqual(['./b.ts', './c.ts']);
  });
});

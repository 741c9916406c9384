import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { toolScript } from './tool-script.ts';

let dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  dirs = [];
});

describe('toolScript', () => {
  it('runs a TypeScript tool as JavaScript transpiled once, named by its content', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tool-'));
    dirs.push(dir);
    const src = join(dir, 'hello.ts');
    await writeFile(src, "const greet = (who: string): string => `hi ${who}`;\nprocess.stdout.write(greet(process.argv[2] ?? '?'));\n");
    const cache = join(dir, 'cache');
    const js = toolScript(src, cache);
    expect(js).toMatch(/hello-[0-9a-f]{16}\.mjs$/);
    expect(execFileSync(process.execPath, [js, 'lab'], { encoding: 'utf8' })).toBe('hi lab');
    expect(toolScript(src, cache)).toBe(js);
    expect(await readdir(cache)).toEqual([js.split('/').pop()]);
  });

  it('leaves a JavaScript tool (a built package) as it is', () => {
    expect(toolScript('/opt/netproof/dist/lib/traffic/trafgen.js')).toBe('/opt/netproof/dist/lib/traffic/trafgen.js');
  });
});

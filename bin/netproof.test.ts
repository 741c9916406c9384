// bin/netproof.js as users meet it: on an old Node, one line and exit 3 instead of a stack trace;
// on the Node the project installs (node_modules/.bin/node), the CLI itself.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exec } from '../lib/exec.ts';
import { PROJECT_ROOT } from '../lib/paths.ts';

const LAUNCHER = join(PROJECT_ROOT, 'bin/netproof.js');
/** Debian's system Node (20 on the development machine): older than netproof supports. */
const SYSTEM_NODE = '/usr/bin/node';
/** The Node the `node` devDependency installs, which npm scripts and npx use first. */
const PROJECT_NODE = join(PROJECT_ROOT, 'node_modules/.bin/node');

describe('bin/netproof.js', () => {
  it('on Node < 22 prints one line saying how to get Node 24, and exits 3', async (ctx) => {
    const version = existsSync(SYSTEM_NODE) ? (await exec([SYSTEM_NODE, '-p', 'process.versions.node'])).stdout.trim() : '';
    if (!version || Number(version.split('.')[0]) >= 22) ctx.skip(`needs an old Node at ${SYSTEM_NODE} (found ${version || 'none'})`);
    const r = await exec([SYSTEM_NODE, LAUNCHER, '--help'], { timeoutMs: 30_000 });
    expect(r.stderr).toBe(`netproof needs Node ≥ 22 (found ${version}); fix: npm i -D node@24 (then run npx netproof), or install Node 24\n`);
    expect(r.stdout).toBe('');
    expect(r.exitCode).toBe(3);
  });

  it('on the project Node runs the CLI', async () => {
    const r = await exec([PROJECT_NODE, LAUNCHER, '--help'], { timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Usage: netproof');
    expect(r.exitCode).toBe(0);
  });

  describe('picks the CLI of its layout', () => {
    let dir = '';
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    /** A package with the launcher and stand-ins that say which CLI ran. */
    async function fakePackage(files: Record<string, string>): Promise<string> {
      dir = await mkdtemp(join(tmpdir(), 'netproof-launcher-'));
      await mkdir(join(dir, 'bin'));
      await copyFile(LAUNCHER, join(dir, 'bin/netproof.js'));
      await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'netproof', type: 'module' }));
      for (const [path, text] of Object.entries(files)) {
        await mkdir(join(dir, path, '..'), { recursive: true });
        await writeFile(join(dir, path), text);
      }
      return dir;
    }

    it('the built one when there are no sources (an installed package), the sources in a clone even beside a dist/ of an earlier npm pack', async () => {
      const pkg = await fakePackage({ 'dist/lib/cli/main.js': "console.log('dist');\n" });
      expect((await exec([PROJECT_NODE, join(pkg, 'bin/netproof.js')])).stdout).toBe('dist\n');
      await mkdir(join(pkg, 'lib/cli'), { recursive: true });
      await writeFile(join(pkg, 'lib/cli/main.ts'), "const from: string = 'source';\nconsole.log(from);\n");
      expect((await exec([PROJECT_NODE, join(pkg, 'bin/netproof.js')])).stdout).toBe('source\n');
    });
  });
});

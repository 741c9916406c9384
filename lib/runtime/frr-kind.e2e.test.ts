// A lab of containerlab's frr kind (containerlab PR 3382) deploys like its kind: linux form:
// fixtures/labs/frr-ospf-kind, with router3's frr.conf written in the clab file instead of a
// file, so both startup-config forms run. It also stands for public-style OSPF labs on Docker.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { netproof } from '../../fixtures/cli.ts';
import { leftovers } from '../../fixtures/runtimes.ts';
import { PROJECT_ROOT } from '../paths.ts';
import { waitFor } from '../wait-for.ts';

const LAB = 'frr-ospf-kind';
let dir: string;
let file: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netproof-frr-kind-e2e-'));
  file = join(dir, `${LAB}.clab.yml`);
  const fixture = join(PROJECT_ROOT, 'fixtures/labs/frr-ospf-kind');
  const router3 = await readFile(join(PROJECT_ROOT, 'fixtures/labs/frr-ospf/router3/frr.conf'), 'utf8');
  const text = (await readFile(join(fixture, `${LAB}.clab.yml`), 'utf8'))
    .replace(/startup-config: \.\.\/(frr-ospf\/router[12]\/frr\.conf)/g, (_m, rel: string) => `startup-config: ${join(PROJECT_ROOT, 'fixtures/labs', rel)}`)
    .replace('startup-config: ../frr-ospf/router3/frr.conf', `startup-config: |\n${router3.trimEnd().split('\n').map((l) => `        ${l}`).join('\n')}`);
  expect(text).not.toContain('../');
  await writeFile(file, text);
});
afterAll(async () => {
  await netproof(['destroy', LAB]);
  await rm(dir, { recursive: true, force: true });
});

// On Docker: its bring-up is the netns runtime's (bring-up.ts), and the public kind: linux form
// of this lab runs on netns in frr01.e2e.test.ts.
describe.each(['docker'] as const)('a kind: frr lab on %s', (runtime) => {
  test('deploys (startup-config as a file and written in place, daemons from extras.frr.daemons) and PC1 pings PC2 across the routers', async () => {
    const deploy = await netproof(['deploy', file, '--runtime', runtime]);
    expect(deploy.exitCode, deploy.stderr).toBe(0);
    // FRR accepted every line of both forms of startup-config.
    expect(deploy.stderr).not.toContain('FRR refused');
    await waitFor(
      async () => {
        const ping = await netproof(['exec', LAB, 'PC1', '--', 'ping', '-c', '1', '-W', '1', '192.168.12.2']);
        return ping.exitCode === 0 ? { ok: true, value: ping } : { ok: false, reason: `PC1 → PC2 (192.168.12.2): ${ping.stdout.split('\n').slice(-3).join(' ')}` };
      },
      { timeoutMs: 60_000, intervalsMs: [500], description: 'PC1 to reach PC2 over OSPF' },
    );
    // router1 (file) learned PC2's subnet from router3 (inline) over OSPF, and router3 PC1's from router1.
    const at1 = await netproof(['exec', LAB, 'router1', '--', 'ip', '-j', 'route', 'show', '192.168.12.0/24']);
    expect(JSON.parse(at1.stdout)[0].protocol).toBe('ospf');
    const at3 = await netproof(['exec', LAB, 'router3', '--', 'ip', '-j', 'route', 'show', '192.168.11.0/24']);
    expect(JSON.parse(at3.stdout)[0].protocol).toBe('ospf');

    expect((await netproof(['destroy', LAB])).exitCode).toBe(0);
    expect(await leftovers(LAB)).toEqual([]);
  });
});

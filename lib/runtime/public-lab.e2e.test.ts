// A lab written the way public containerlab FRR labs are (kind linux, the FRR image, frr.conf
// and daemons bound in, OSPF; plain hosts configured by exec lines) deploys unchanged on each
// runtime, and its hosts reach each other across the routers.
import { afterAll, describe, expect, test } from 'vitest';
import { netproof } from '../../fixtures/cli.ts';
import { leftovers, RUNTIMES } from '../../fixtures/runtimes.ts';
import { waitFor } from '../wait-for.ts';

const FILE = 'fixtures/labs/frr-ospf/frr-ospf.clab.yml';
afterAll(async () => {
  await netproof(['destroy', 'frr-ospf']);
});

describe.each(RUNTIMES)('a public-style lab on %s', (runtime) => {
  test('a public-style FRR/OSPF containerlab lab deploys and PC1 pings PC2 across three routers', async () => {
    const deploy = await netproof(['deploy', FILE, '--runtime', runtime]);
    expect(deploy.exitCode, deploy.stderr).toBe(0);
    // OSPF (hello 10 s, point-to-point) converges within seconds; poll, never sleep.
    await waitFor(
      async () => {
        const ping = await netproof(['exec', 'frr-ospf', 'PC1', '--', 'ping', '-c', '1', '-W', '1', '192.168.12.2']);
        return ping.exitCode === 0 ? { ok: true, value: ping } : { ok: false, reason: `PC1 → PC2 (192.168.12.2): ${ping.stdout.split('\n').slice(-3).join(' ')}` };
      },
      { timeoutMs: 60_000, intervalsMs: [500], description: 'PC1 to reach PC2 over OSPF' },
    );
    // The path really crosses the routers: router1 learned PC2's subnet from OSPF.
    const route = await netproof(['exec', 'frr-ospf', 'router1', '--', 'ip', '-j', 'route', 'show', '192.168.12.0/24']);
    expect(JSON.parse(route.stdout)[0].protocol).toBe('ospf');

    expect((await netproof(['destroy', 'frr-ospf'])).exitCode).toBe(0);
    expect(await leftovers('frr-ospf')).toEqual([]);
  });
});

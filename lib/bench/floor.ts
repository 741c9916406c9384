// The floor netproof is measured against: the same namespaces, veths and FRR daemons, with the
// same frr.conf, created by raw `ip`/FRR commands all in parallel, with none of netproof's
// checks, state or bookkeeping — as a person would wire FRR by hand.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exec, execOk } from '../exec.ts';
import { namespaceName } from '../names.ts';
import type { ClosPlan } from '../plan/clos.ts';
import { applyIntegratedConfigArgv, daemonArgv } from '../render/frr-daemons.ts';
import { listNamespaces } from '../runtime/netns/ip.ts';
import { neighbourPins, neighbourSoftLimit, needsPinning, parseIpAddr } from '../runtime/pin-neighbours.ts';

export const FLOOR_DAEMONS = ['zebra', 'bgpd', 'staticd', 'bfdd'];

/** Netlink waits its turn behind every zebra of a large fabric installing routes: at 400 routers one `ip -batch` of pins took over 60 s. */
const PIN_TIMEOUT_MS = 300_000;

/** The floor's namespace for a node: netproof's naming, so `netproof destroy --all` finds one a killed bench left. */
export const floorNamespace = (lab: string) => (node: string) => namespaceName(lab, node);

/** Each router's frr.conf from the generated lab, and an empty file per daemon (as FRR's start-up reads them). */
export async function prepareFloor(plan: ClosPlan, generatedDir: string, floorDir: string): Promise<void> {
  for (const r of plan.routers) {
    await mkdir(join(floorDir, r.name), { recursive: true });
    await writeFile(join(floorDir, r.name, 'frr.conf'), await readFile(join(generatedDir, r.name, 'frr.conf')));
    for (const daemon of FLOOR_DAEMONS) await writeFile(join(floorDir, r.name, `${daemon}.conf`), '');
  }
  // FRR's daemons run as user frr and must reach their files.
  await execOk(['chown', '-R', 'frr:frr', floorDir]);
}

/** Build and start the floor; seconds from the first command to the links built and to every daemon configured. */
export async function startFloor(plan: ClosPlan, floorDir: string, ns: (node: string) => string): Promise<{ build_s: number; deploy_s: number }> {
  const run = (n: string, argv: string[]) => execOk(['ip', 'netns', 'exec', ns(n), ...argv]);
  const t0 = performance.now();
  await Promise.all(
    plan.routers.map(async (r) => {
      await execOk(['ip', 'netns', 'add', ns(r.name)]);
      await execOk(['ip', '-n', ns(r.name), 'link', 'set', 'lo', 'up']);
    }),
  );
  await Promise.all(
    plan.links.map(async (l) => {
      await execOk(['ip', '-n', ns(l.a.node), 'link', 'add', 'name', l.a.iface, 'type', 'veth', 'peer', 'name', l.b.iface, 'netns', ns(l.b.node)]);
      await Promise.all([execOk(['ip', '-n', ns(l.a.node), 'link', 'set', 'dev', l.a.iface, 'up']), execOk(['ip', '-n', ns(l.b.node), 'link', 'set', 'dev', l.b.iface, 'up'])]);
    }),
  );
  const built = performance.now();
  await Promise.all(
    plan.routers.map(async (r) => {
      const d = join(floorDir, r.name);
      await run(r.name, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv4.fib_multipath_hash_policy=1']);
      for (const daemon of FLOOR_DAEMONS) await run(r.name, daemonArgv(daemon, { dir: d }));
      await run(r.name, applyIntegratedConfigArgv({ dir: d }));
    }),
  );
  // The same pins netproof's bring-up adds at this size (pin-neighbours.ts): without them neither converges past ~500 links.
  const links = plan.links.map((l) => ({ endpoints: [l.a, l.b] }));
  if (needsPinning(links, neighbourSoftLimit())) {
    const live = new Map(await Promise.all(plan.routers.map(async (r) => [r.name, parseIpAddr((await execOk(['ip', '-n', ns(r.name), '-j', 'addr', 'show'])).stdout)] as const)));
    await Promise.all([...neighbourPins(links, live)].map(([node, lines]) => execOk(['ip', '-n', ns(node), '-batch', '-'], { input: `${lines.join('\n')}\n`, timeoutMs: PIN_TIMEOUT_MS })));
  }
  return { build_s: (built - t0) / 1000, deploy_s: (performance.now() - t0) / 1000 };
}

/** Kill what runs in each namespace (by the namespace's own pid list, never by name) and delete it. */
export async function destroyFloor(namespaces: string[]): Promise<void> {
  const existing = new Set(await listNamespaces());
  for (const n of namespaces.filter((x) => existing.has(x))) {
    const pids = (await exec(['ip', 'netns', 'pids', n])).stdout.split('\n').filter(Boolean);
    if (pids.length) await exec(['kill', '-9', ...pids]);
    await exec(['ip', 'netns', 'del', n]);
  }
}

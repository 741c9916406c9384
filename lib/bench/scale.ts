// `npm run bench -- --scale`: how far one machine goes. Generated Clos fabrics of growing size
// (spines, leaves, dual-homed BGP hosts; BFD on), each built twice in the same run — by hand
// (the floor: raw ip/FRR commands, lib/bench/floor.ts) and by netproof's netns runtime — and
// measured the same way:
//   deploy     first command → every daemon started and configured
//   converged  every router has every loopback with its expected ECMP width in its kernel FIB
//              (polled every second: "seen"), and the moment zebra last changed any of those
//              routes (RIB uptimes, 1 s resolution: "converge_s"), both from deploy start
//   memory     the routers' processes, idle once converged: RSS, PSS and peak RSS
//   CPU        the routers' daemons plus this process and everything it ran, deploy → converged
// netproof's lab then runs the bgp-convergence suite. Writes reports/bench-scale.json and
// reports/bench-scale.svg.
import { mkdtemp, readFile, rm, writeFile, chmod, mkdir } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { exec } from '../exec.ts';
import { namespaceName } from '../names.ts';
import { generateClos } from '../generate.ts';
import { loadLab } from '../lifecycle/lab.ts';
import { ownFile, PROJECT_ROOT } from '../paths.ts';
import { planClos, type ClosPlan } from '../plan/clos.ts';
import type { ExpectedRoute } from '../plan/expected-routing.ts';
import { scaleChartSvg, type ScalePoint } from '../report/scale-chart.ts';
import { waitFor } from '../wait-for.ts';
import { destroyFloor, floorNamespace, prepareFloor, startFloor } from './floor.ts';
import { closExpectedRoutes, fibMissing, lastRouteChangeS, parseRoutesByNamespace, processCost, statCpuS, sumCosts, type ProcessCost, type RibRead } from './scale-measure.ts';

export const SCALE_SIZES = [
  { spines: 2, leaves: 4, hosts: 8 },
  { spines: 2, leaves: 16, hosts: 32 },
  { spines: 4, leaves: 32, hosts: 64 },
  { spines: 8, leaves: 64, hosts: 128 },
  { spines: 8, leaves: 64, hosts: 328 },
] as const;

const LAB = 'scale';
const FLOOR_LAB = 'scale-floor';
/** Generous, but a fabric that does not converge (BFD flapping on an overloaded machine) is reported, not waited on forever. */
const CONVERGE_TIMEOUT_MS = 300_000;
/** A FIB poll reads every router: at 10 ms of CPU each, poll no more often than that takes, so polling never loads the machine it measures. */
const pollIntervalMs = (routers: number) => Math.max(1000, routers * 10);

const nowS = () => performance.now() / 1000;

/** This process's CPU seconds, its own and its reaped children's (the ip, vtysh… it ran). */
async function ownCpuS(): Promise<number> {
  return statCpuS(await readFile('/proc/self/stat', 'utf8'), { children: true });
}

/** Every router's kernel FIB in one shell loop (one process, not one per router: the poll must not load the machine it measures). */
async function readFibs(plan: ClosPlan, ns: (node: string) => string) {
  const names = plan.routers.map((r) => ns(r.name));
  const r = await exec(['sh', '-c', 'for n in "$@"; do echo "netns: $n"; ip -n "$n" -j -4 route show; done', 'sh', ...names], { timeoutMs: 120_000 });
  const nodeOf = new Map(plan.routers.map((x) => [ns(x.name), x.name]));
  return parseRoutesByNamespace(r.stdout, (n) => nodeOf.get(n));
}

/** Seconds from t0 until every FIB has every expected route with its width; or why not, at the deadline. */
async function waitConverged(plan: ClosPlan, expected: ExpectedRoute[], ns: (node: string) => string, t0: number): Promise<{ seenS: number } | { notConverged: string }> {
  return waitFor(
    async () => {
      const missing = fibMissing(expected, await readFibs(plan, ns));
      return missing.length ? { ok: false, reason: `${missing.length} of ${expected.length} routes missing or narrow, e.g. ${missing.slice(0, 5).join('; ')}` } : { ok: true, value: true };
    },
    { timeoutMs: CONVERGE_TIMEOUT_MS, intervalsMs: [pollIntervalMs(plan.routers.length)], description: `every router of ${plan.routers.length} to have every loopback with its ECMP width in its FIB` },
  ).then(
    () => ({ seenS: nowS() - t0 }),
    (e: unknown) => ({ notConverged: (e as Error).message }),
  );
}

async function readRibs(plan: ClosPlan, show: (router: string) => Promise<string>): Promise<Map<string, RibRead>> {
  const out = new Map<string, RibRead>();
  for (const r of plan.routers) {
    const text = await show(r.name);
    out.set(r.name, { json: JSON.parse(text) as RibRead['json'], readAtS: nowS() });
  }
  return out;
}

/** The routers' processes (everything in their namespaces), summed. */
async function routerCosts(plan: ClosPlan, ns: (node: string) => string): Promise<ProcessCost> {
  const costs: ProcessCost[] = [];
  for (const r of plan.routers) {
    const pids = (await exec(['ip', 'netns', 'pids', ns(r.name)])).stdout.split('\n').filter(Boolean);
    for (const pid of pids) {
      const read = (f: string) => readFile(`/proc/${pid}/${f}`, 'utf8').catch(() => '');
      const [status, rollup, stat] = await Promise.all([read('status'), read('smaps_rollup'), read('stat')]);
      if (stat) costs.push(processCost(status, rollup, stat));
    }
  }
  return sumCosts(costs);
}

interface Measured {
  deploy_s: number;
  /** null: not converged within CONVERGE_TIMEOUT_MS (see not_converged). */
  converge_seen_s: number | null;
  converge_s: number | null;
  not_converged?: string;
  memory: { idle_rss_mib: number; idle_rss_per_router_mib: number; idle_pss_per_router_mib: number; peak_rss_mib: number; peak_rss_per_router_mib: number };
  cpu_s: { daemons: number; netproof_or_commands: number; total: number };
}

const mib = (kib: number) => Number((kib / 1024).toFixed(1));

/** A size whose deploy failed: nothing measured, and why. */
function notBuilt(e: unknown): Measured {
  const zero = { idle_rss_mib: 0, idle_rss_per_router_mib: 0, idle_pss_per_router_mib: 0, peak_rss_mib: 0, peak_rss_per_router_mib: 0 };
  return { deploy_s: NaN, converge_seen_s: null, converge_s: null, not_converged: `deploy failed: ${(e as Error).message.split('\n')[0]}`, memory: zero, cpu_s: { daemons: 0, netproof_or_commands: 0, total: 0 } };
}

async function measure(plan: ClosPlan, expected: ExpectedRoute[], ns: (node: string) => string, t0: number, cpu0: number, deployS: number, show: (router: string) => Promise<string>): Promise<Measured> {
  const seen = await waitConverged(plan, expected, ns, t0);
  const ownCpu = (await ownCpuS()) - cpu0;
  const convergeS = 'seenS' in seen ? lastRouteChangeS(expected, await readRibs(plan, show)) - t0 : undefined;
  const cost = await routerCosts(plan, ns);
  const n = plan.routers.length;
  return {
    deploy_s: Number(deployS.toFixed(2)),
    converge_seen_s: 'seenS' in seen ? Number(seen.seenS.toFixed(2)) : null,
    converge_s: convergeS === undefined ? null : Number(Math.max(convergeS, 0).toFixed(1)),
    ...('notConverged' in seen ? { not_converged: seen.notConverged.split('\n').slice(0, 3).join(' ') } : {}),
    memory: { idle_rss_mib: mib(cost.rssKiB), idle_rss_per_router_mib: mib(cost.rssKiB / n), idle_pss_per_router_mib: mib(cost.pssKiB / n), peak_rss_mib: mib(cost.peakRssKiB), peak_rss_per_router_mib: mib(cost.peakRssKiB / n) },
    cpu_s: { daemons: Number(cost.cpuS.toFixed(1)), netproof_or_commands: Number(ownCpu.toFixed(1)), total: Number((cost.cpuS + ownCpu).toFixed(1)) },
  };
}

async function floorAt(plan: ClosPlan, expected: ExpectedRoute[], dir: string): Promise<Measured> {
  const ns = floorNamespace(FLOOR_LAB);
  try {
    const [t0, cpu0] = [nowS(), await ownCpuS()];
    const { deploy_s } = await startFloor(plan, dir, ns);
    return await measure(plan, expected, ns, t0, cpu0, deploy_s, async (r) => (await exec(['vtysh', '--vty_socket', join(dir, r), '-c', 'show ip route json'])).stdout);
  } finally {
    await destroyFloor(plan.routers.map((r) => ns(r.name)));
  }
}

async function netproofAt(plan: ClosPlan, expected: ExpectedRoute[], file: string, work: string): Promise<Measured & { convergence_suite: { exit_code: number; duration_s: number; failed: string[] } }> {
  const loaded = await loadLab(file);
  const [t0, cpu0] = [nowS(), await ownCpuS()];
  await using lab = await loaded.start({ runtime: 'netns' });
  const deployS = nowS() - t0;
  const m = await measure(plan, expected, (node) => namespaceName(LAB, node), t0, cpu0, deployS, async (r) => (await lab.node(r).vtysh('show ip route json')).stdout);
  // The verdict stays strict: the bgp-convergence suite on the same lab, as a user would run it.
  const reportDir = join(work, `report-${plan.routers.length}`);
  const s0 = nowS();
  const run = await exec([process.execPath, ownFile('lib/cli/main.ts'), 'test', LAB, '--suite', 'bgp-convergence', '--report-dir', reportDir], { env: { ...process.env, CI: 'true' }, timeoutMs: 1_800_000 });
  const summary = await readFile(join(reportDir, 'summary.json'), 'utf8').then((t) => JSON.parse(t) as { tests: { name: string; status: string; errors: string[] }[] }, () => undefined);
  const failed = (summary?.tests ?? []).filter((t) => t.status === 'failed').map((t) => `${t.name}: ${t.errors.join('; ').slice(0, 500)}`);
  return { ...m, convergence_suite: { exit_code: run.exitCode, duration_s: Number((nowS() - s0).toFixed(1)), failed } };
}

export async function benchScale(maxRouters: number): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the benchmark creates network namespaces: run it as root');
  const work = await mkdtemp(join(tmpdir(), 'netproof-bench-scale-'));
  await chmod(work, 0o755);
  const rows = [];
  const points: ScalePoint[] = [];
  try {
    for (const size of SCALE_SIZES) {
      const plan = planClos({ name: LAB, ...size });
      if (plan.routers.length > maxRouters) break;
      const n = plan.routers.length;
      process.stderr.write(`${n} routers (${size.spines} spines, ${size.leaves} leaves, ${size.hosts} hosts)\n`);
      const lab = await generateClos({ name: LAB, ...size }, join(work, `lab-${n}`));
      const floorDir = join(work, `floor-${n}`);
      await prepareFloor(plan, lab.dir, floorDir);
      const expected = closExpectedRoutes(plan);
      const sessions = plan.links.length;
      // A size that cannot even be built is a point on the curve (where one machine stops), not the end of the bench.
      const floor = await floorAt(plan, expected, floorDir).catch((e: unknown) => notBuilt(e));
      process.stderr.write(`  hand-wired: deployed ${floor.deploy_s} s, converged ${floor.converge_s ?? 'never'} s, ${floor.memory.idle_rss_per_router_mib} MiB per router\n`);
      const netproof = await netproofAt(plan, expected, lab.file, work).catch((e: unknown) => ({ ...notBuilt(e), convergence_suite: { exit_code: -1, duration_s: 0, failed: [] } }));
      process.stderr.write(`  netproof:   deployed ${netproof.deploy_s} s, converged ${netproof.converge_s ?? 'never'} s, ${netproof.memory.idle_rss_per_router_mib} MiB per router; bgp-convergence exit ${netproof.convergence_suite.exit_code}\n`);
      rows.push({
        routers: n,
        shape: size,
        bgp_sessions: sessions,
        expected_routes: expected.length,
        hand_wired: floor,
        netproof,
        ratio_converge: netproof.converge_s !== null && floor.converge_s !== null ? Number((netproof.converge_s / Math.max(floor.converge_s, 1)).toFixed(2)) : null,
        ratio_converge_seen: netproof.converge_seen_s !== null && floor.converge_seen_s !== null ? Number((netproof.converge_seen_s / floor.converge_seen_s).toFixed(2)) : null,
      });
      if (Number.isFinite(floor.deploy_s)) points.push({ routers: n, who: 'hand-wired FRR', deployS: floor.deploy_s, convergeS: floor.converge_s, idleRssPerRouterMiB: floor.memory.idle_rss_per_router_mib });
      if (Number.isFinite(netproof.deploy_s)) points.push({ routers: n, who: 'netproof', deployS: netproof.deploy_s, convergeS: netproof.converge_s, idleRssPerRouterMiB: netproof.memory.idle_rss_per_router_mib });
      await writeReport(rows, points);
    }
  } finally {
    await exec([process.execPath, ownFile('lib/cli/main.ts'), 'destroy', LAB]);
    await rm(work, { recursive: true, force: true });
  }
}

async function writeReport(rows: unknown[], points: ScalePoint[]): Promise<void> {
  const dir = join(PROJECT_ROOT, 'reports');
  await mkdir(dir, { recursive: true });
  const frr = (await exec(['/usr/lib/frr/zebra', '--version'])).stdout.split('\n')[0];
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model, memory_gib: Number((totalmem() / 2 ** 30).toFixed(1)), frr, node: process.version },
    method: {
      fabric: 'netproof generate clos: eBGP, BFD 300 ms × 3, /31 links, /32 loopbacks, hosts dual-homed to a leaf pair',
      converge_s: 'from deploy start to the moment zebra last changed any expected loopback route (RIB uptimes, 1 s resolution)',
      converge_seen_s: 'from deploy start to the first poll (every second, or every 10 ms per router if longer) that found every expected route with its width in every kernel FIB; null: not within 300 s (not_converged says what was missing)',
      memory: 'processes in the routers’ namespaces once converged (at the deadline, if not): VmRSS and Pss then, VmHWM (each process’s peak) summed',
      cpu_s: 'daemons’ utime+stime, plus this process and the commands it ran (netproof: the runtime in-process), deploy start → converged',
      targets: '200 routers converged ≤ 60 s, 400 ≤ 150 s; netproof within 1.2× of hand-wired; ≤ 25 MiB idle RSS per router (issue 12)',
    },
    sizes: rows,
  };
  await writeFile(join(dir, 'bench-scale.json'), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(dir, 'bench-scale.svg'), await scaleChartSvg(points, `netproof and hand-wired FRR on ${cpus().length} cores (${result.date.slice(0, 10)})`));
}

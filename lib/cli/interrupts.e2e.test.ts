// Ctrl-C and SIGTERM at random moments of every command that changes a lab. `deploy` and `run`
// leave nothing of the lab (namespaces, processes, files, the host's root namespace as it was);
// `test` and `fault` leave the lab they were given as healthy as they found it (the check or
// fault under way undoes itself). Moments are drawn in equal slices of each command's measured
// duration, so early, middle and late phases are all hit; the seed is printed with every failure
// (NETPROOF_INTERRUPT_SEED=N repeats a draw).
import { afterAll, describe, expect, test } from 'vitest';
import { netproof, spawnNetproof } from '../../fixtures/cli.ts';
import { generatedLab } from '../../fixtures/faults.ts';
import { hostDifferences, hostSnapshot } from '../../fixtures/host-snapshot.ts';
import { leftovers } from '../../fixtures/runtimes.ts';

const LAB = 'e2e-interrupt';
const SEED = Number(process.env.NETPROOF_INTERRUPT_SEED ?? Date.now() % 2 ** 31);
const SIGNALS = [
  { signal: 'SIGINT', code: 130 },
  { signal: 'SIGTERM', code: 143 },
] as const;

afterAll(async () => {
  await netproof(['destroy', LAB]);
});

/** mulberry32: a small seeded generator, so a failing draw can be repeated. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n moments over [0, durationMs): one drawn in each of n equal slices. */
function moments(n: number, durationMs: number, rand: () => number): number[] {
  return Array.from({ length: n }, (_, i) => Math.round(((i + rand()) / n) * durationMs));
}

interface Outcome {
  what: string;
  exitCode: number | null;
  output: string;
}

/** Start `netproof ARGS`, send `signal` after `afterMs`, wait for it to end. */
async function interruptAt(args: string[], afterMs: number, signal: NodeJS.Signals): Promise<Outcome> {
  const child = spawnNetproof(args);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const timer = setTimeout(() => child.kill(signal), afterMs);
  const exitCode = await exited;
  clearTimeout(timer);
  return { what: `${args[0]} ${signal} at ${afterMs} ms`, exitCode, output: child.output() };
}

async function timed(args: string[]): Promise<number> {
  const t0 = performance.now();
  const r = await netproof(args);
  expect(r.exitCode, r.stdout + r.stderr).toBe(0);
  return performance.now() - t0;
}

/**
 * What is wrong with how an interrupted command ended: it exits with the signal's code, or was
 * done before the signal came (0), or was stopped before Node had set up its handlers (killed
 * by the signal, nothing created yet).
 */
function exitProblem(o: Outcome, code: number): string | undefined {
  if (o.exitCode === code || o.exitCode === 0 || o.exitCode === null) return undefined;
  return `${o.what}: exit ${o.exitCode}, expected ${code}\n${o.output.slice(-1500)}`;
}

describe('interrupts at random moments (netns)', () => {
  test(`deploy and run leave nothing; test and fault leave the lab healthy (seed ${SEED})`, async () => {
    const rand = random(SEED);
    // Two hosts with a VM each: OVS, OVN, FRR, nftables and the state directory are all in play.
    const lab = await generatedLab(LAB, { spines: 2, leaves: 2, hosts: 2, vmsPerHost: 1 });
    await netproof(['destroy', LAB]);
    const before = await hostSnapshot();
    const problems: string[] = [];
    const note = (p: string | undefined) => p && problems.push(`${p} (seed ${SEED})`);

    // Each command's full length, uninterrupted, sets the range its moments are drawn from.
    const deployMs = await timed(['deploy', lab.file]);
    await timed(['destroy', LAB]);
    const runArgs = ['run', lab.file, '--suite', 'bgp-convergence', '--suite', 'overlay-reachability', '--report-dir', `/tmp/netproof-${LAB}`];
    const runMs = await timed(runArgs);

    let k = 0;
    const nextSignal = () => SIGNALS[k++ % SIGNALS.length]!;
    for (const [args, durationMs, n] of [
      [['deploy', lab.file], deployMs, 6],
      [runArgs, runMs, 6],
    ] as const) {
      for (const at of moments(n, durationMs, rand)) {
        const { signal, code } = nextSignal();
        const o = await interruptAt([...args], at, signal);
        note(exitProblem(o, code));
        // A deploy that finished before the signal has done its job: the lab is the caller's to remove.
        if (args[0] === 'deploy' && o.exitCode === 0) await netproof(['destroy', LAB]);
        const left = await leftovers(LAB);
        if (left.length) {
          note(`${o.what}: left ${left.join(', ')}`);
          await netproof(['destroy', LAB]);
        }
      }
    }

    // On a lab that stays: a failover check, and a held fault, interrupted mid-way, each undo
    // what they did: the lab passes its convergence and reachability checks right after.
    expect((await netproof(['deploy', lab.file])).exitCode).toBe(0);
    const healthy = async (after: string) => {
      const r = await netproof(['test', LAB, '--suite', 'bgp-convergence', '--suite', 'overlay-reachability', '--report-dir', `/tmp/netproof-${LAB}`]);
      if (r.exitCode !== 0) note(`after ${after}: the lab is no longer healthy:\n${r.stdout.slice(-2500)}`);
      const status = await netproof(['status']);
      if (!new RegExp(`^${LAB}\\tnetns\\trunning`, 'm').test(status.stdout)) note(`after ${after}: status says\n${status.stdout}`);
    };
    // One failure class: how a stopped check undoes its fault does not depend on the fault, and
    // the whole suite would spend minutes of CI on the same mechanism.
    const testArgs = ['test', LAB, '--suite', 'bfd-failover', '--grep', 'grey failure', '--report-dir', `/tmp/netproof-${LAB}`];
    const testMs = await timed(testArgs);
    for (const at of moments(4, testMs, rand)) {
      const { signal, code } = nextSignal();
      const o = await interruptAt(testArgs, at, signal);
      note(exitProblem(o, code));
      await healthy(o.what);
    }
    // `fault` holds until interrupted: moments within its first seconds catch it mid-injection.
    for (const [i, at] of moments(4, 1500, rand).entries()) {
      const { signal, code } = nextSignal();
      const kind = i % 2 ? ['grey', 'spine1:eth1'] : ['stop-daemon', 'host1:ovs-vswitchd'];
      const o = await interruptAt(['fault', LAB, ...kind], at, signal);
      note(exitProblem(o, code));
      await healthy(`fault ${kind.join(' ')}: ${o.what}`);
    }
    expect((await netproof(['destroy', LAB])).exitCode).toBe(0);

    expect(await leftovers(LAB)).toEqual([]);
    expect(hostDifferences(before, await hostSnapshot())).toEqual([]);
    expect(problems).toEqual([]);
  }, 900_000);
});

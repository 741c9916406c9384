// The declared intent as a `<lab>.intent.yml` document, and the intent `generate clos` declares
// for the lab it plans. Pure: returns data; the caller writes it with yaml's stringify.
import { DEFAULT_MAX_PATHS, HASH_POLICIES, type BfdTimers, type HashPolicy, type Intent } from '../model/intent.ts';
import { loopbacksOf, type ClosPlan } from '../plan/clos.ts';
import { ROUTER_SYSCTLS } from './clab.ts';

const timersDocument = (t: BfdTimers) => ({ 'transmit-interval': t.transmitIntervalMs, 'receive-interval': t.receiveIntervalMs, 'detect-multiplier': t.detectMultiplier });

/** A relative tolerance as `50%` when that reads back exactly, else as the fraction itself. */
function toleranceFigure(relative: number): string | number {
  const perCent = Number((relative * 100).toPrecision(12));
  return perCent / 100 === relative ? `${perCent}%` : relative;
}

/** The YAML-ready document of an intent (kebab-case keys), leaving out what it does not declare; routers in the given order. */
export function intentDocument(intent: Omit<Intent, 'file'>): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  const routers = Object.values(intent.routers);
  if (routers.length) {
    doc.routers = Object.fromEntries(
      routers.map((r) => [
        r.name,
        {
          ...(r.asn !== undefined ? { asn: r.asn } : {}),
          ...(r.loopbacks?.length ? { loopbacks: [...r.loopbacks] } : {}),
          ...(r.maxPaths !== undefined ? { 'max-paths': r.maxPaths } : {}),
          ...(r.bfd ? { bfd: timersDocument(r.bfd) } : {}),
          ...(r.linkBandwidthMbps ? { 'link-bandwidth': { ...r.linkBandwidthMbps } } : {}),
        },
      ]),
    );
  }
  if (intent.bfd) doc.bfd = { required: intent.bfd.required, ...timersDocument(intent.bfd.timers) };
  const failover = Object.entries(intent.failover).filter(([, f]) => f !== undefined);
  if (failover.length) doc.failover = Object.fromEntries(failover.map(([c, f]) => [c, { 'loss-budget-ms': f.lossBudgetMs }]));
  if (intent.multipathHash) doc.multipath = { hash: intent.multipathHash };
  if (intent.tolerance) doc.tolerance = { figures: toleranceFigure(intent.tolerance.relative) };
  return doc;
}

/** The hash policy the generated clab file sets on every router (net.ipv4.fib_multipath_hash_policy). */
function generatedHashPolicy(): HashPolicy {
  const value = ROUTER_SYSCTLS['net.ipv4.fib_multipath_hash_policy'];
  return (Object.keys(HASH_POLICIES) as HashPolicy[]).find((h) => HASH_POLICIES[h] === value)!;
}

/**
 * What a planned Clos declares: every router's ASN and loopback (a host's is its TEP), max-paths
 * where it is not FRR's default, BFD required with the plan's timers, and the generator's
 * multipath hash. Failover budgets are left to be derived from the BFD timers; tolerance to its default.
 */
export function intentFromPlan(plan: ClosPlan): Omit<Intent, 'file'> {
  return {
    routers: Object.fromEntries(
      plan.routers.map((r) => [r.name, { name: r.name, asn: r.asn, loopbacks: loopbacksOf(r), ...(r.maxPaths !== DEFAULT_MAX_PATHS ? { maxPaths: r.maxPaths } : {}), ...(r.linkBandwidthMbps ? { linkBandwidthMbps: { ...r.linkBandwidthMbps } } : {}) }]),
    ),
    bfd: { required: true, timers: { transmitIntervalMs: plan.bfd.intervalMs, receiveIntervalMs: plan.bfd.intervalMs, detectMultiplier: plan.bfd.multiplier } },
    failover: {},
    multipathHash: generatedHashPolicy(),
  };
}

// BFD on every router-to-router session, up and with the declared timers: a check of the
// intent suite and the precondition of every failover measurement (a session without BFD
// anywhere would fail over at BGP's hold time, so it is named before any fault is injected).
import { bfdCulprits, type ConfiguredBfd } from '../expect/intent.ts';
import type { StartedLab } from '../lab/started-lab.ts';
import type { ExpectedSession } from '../plan/expected-routing.ts';
import { vtyshJson } from '../probes/frr.ts';
import { waitForNoCulprits, WaitTimeoutError } from '../wait-for.ts';
import { remainingMs } from './deadline.ts';

/**
 * What differs from the intent's BFD on the router-to-router sessions (empty when all is well):
 * a BGP fabric's sessions, or an IGP's adjacencies. Waits to the lab's deadline for sessions to
 * come up (they follow BGP's, or the adjacency's), then compares timers, which are configuration
 * and right or wrong from the start.
 */
export async function declaredBfdCulprits(lab: StartedLab, sessions: readonly ExpectedSession[]): Promise<string[]> {
  const intent = lab.topology.intent;
  if (!intent?.bfd?.required) return [];
  const routers = [...new Set(sessions.map((s) => s.at))];
  const observe = async () => new Map(await Promise.all(routers.map(async (r) => [r, await vtyshJson<ConfiguredBfd[]>(lab.node(r), 'show bfd peers json').catch(() => undefined)] as const)));
  const up = await waitForNoCulprits(observe, (seen) => bfdCulprits(sessions, seen, intent, { timersToo: false }), {
    timeoutMs: remainingMs(lab),
    description: `BFD up on ${sessions.length} router-to-router sessions`,
  }).catch((e: unknown) => (e instanceof WaitTimeoutError ? undefined : Promise.reject(e)));
  return bfdCulprits(sessions, up?.value ?? (await observe()), intent, { timersToo: true });
}

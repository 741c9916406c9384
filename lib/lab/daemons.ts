// Which of a lab's daemons are no longer running: the first thing to name when the network
// misbehaves (a stop-daemon fault, a crash), before any symptom it causes.
import type { NodeHandle } from './started-lab.ts';

/** How far from the end of a log a daemon's dying words are: an abort writes its assertion, then a few lines of backtrace. */
const DYING_LINES = 12;

/**
 * The last line of the end of a daemon's log that says why it died (an OVS/OVN EMER or ERR, an
 * FRR crash), if there is one. An error logged long before is not why it died (a daemon killed
 * by a fault says nothing), so only the log's last lines count.
 */
async function lastWords(node: NodeHandle, daemon: string): Promise<string | undefined> {
  const log = await node.daemonLog(daemon).catch(() => undefined);
  return log
    ?.trimEnd()
    .split('\n')
    .slice(-DYING_LINES)
    .filter((l) => /\|(EMER|ERR)\||assertion|Received signal|backtrace/i.test(l))
    .at(-1)
    ?.trim();
}

/**
 * "host1: ovn-controller is not running" for every daemon of `nodes` whose process is gone; [] when all run.
 * With `why`, each line ends with the last fatal line of that daemon's log (a crash names its assertion).
 */
export async function daemonsNotRunning(nodes: readonly NodeHandle[], o: { why?: boolean } = {}): Promise<string[]> {
  const unique = [...new Map(nodes.map((n) => [n.name, n])).values()];
  const perNode = await Promise.all(
    unique.map(async (n) => {
      // A look that fails (the node busy, an exec timing out) blames nothing.
      const running = await Promise.all(n.daemons.map((d) => n.daemonRunning(d).catch(() => true)));
      const dead = n.daemons.filter((_, i) => !running[i]);
      return Promise.all(
        dead.map(async (d) => {
          const words = o.why ? await lastWords(n, d) : undefined;
          return `${n.name}: ${d} is not running${words ? ` (its log ends: ${words})` : ''}`;
        }),
      );
    }),
  );
  return perNode.flat();
}

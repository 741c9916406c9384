// Which of a lab's daemons are no longer running: the first thing to name when the network
// misbehaves (a stop-daemon fault, a crash), before any symptom it causes.
import type { NodeHandle } from './started-lab.ts';

/** "host1: ovn-controller is not running" for every daemon of `nodes` whose process is gone; [] when all run. */
export async function daemonsNotRunning(nodes: readonly NodeHandle[]): Promise<string[]> {
  const unique = [...new Map(nodes.map((n) => [n.name, n])).values()];
  const perNode = await Promise.all(
    unique.map(async (n) => {
      // A look that fails (the node busy, an exec timing out) blames nothing.
      const running = await Promise.all(n.daemons.map((d) => n.daemonRunning(d).catch(() => true)));
      return n.daemons.filter((_, i) => !running[i]).map((d) => `${n.name}: ${d} is not running`);
    }),
  );
  return perNode.flat();
}

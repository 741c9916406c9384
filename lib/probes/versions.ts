// The software a lab runs, for the report's environment block: FRR (asked of a running zebra),
// OVS and OVN (their daemons' --version, on a node that runs them), and the kernel. Read from
// the lab's own nodes, so the Docker runtime reports its image's versions, not the host's.
import type { NodeHandle, StartedLab } from '../lab/started-lab.ts';

export interface SoftwareVersions {
  frr: string;
  ovs: string;
  ovn: string;
  kernel: string;
}

const NOT_IN_LAB = 'not in this lab';

async function firstLine(node: NodeHandle | undefined, argv: readonly string[], pattern: RegExp): Promise<string> {
  if (!node) return NOT_IN_LAB;
  try {
    const r = await node.exec(argv, { timeoutMs: 5_000 });
    return pattern.exec(r.stdout)?.[1] ?? `unknown (${argv[0]} exited ${r.exitCode})`;
  } catch (e) {
    return `unknown (${(e as Error).message.split('\n')[0]})`;
  }
}

export async function softwareVersions(lab: StartedLab): Promise<SoftwareVersions> {
  const nodes = lab.nodes();
  const router = nodes.find((n) => n.frrDaemons.includes('zebra'));
  const ovs = nodes.find((n) => n.daemons.includes('ovs-vswitchd'));
  const ovn = nodes.find((n) => n.daemons.includes('ovn-controller') || n.daemons.includes('ovn-northd'));
  const frrVersion = async () => {
    if (!router) return NOT_IN_LAB;
    try {
      const r = await router.vtysh('show version');
      return /FRRouting (\S+)/.exec(r.stdout)?.[1] ?? 'unknown (show version said nothing recognisable)';
    } catch (e) {
      return `unknown (${(e as Error).message.split('\n')[0]})`;
    }
  };
  const [frr, ovsVersion, ovnVersion, kernel] = await Promise.all([
    frrVersion(),
    firstLine(ovs, ['ovs-vswitchd', '--version'], /\(Open vSwitch\) (\S+)/),
    firstLine(ovn, [ovn?.daemons.includes('ovn-controller') ? 'ovn-controller' : 'ovn-northd', '--version'], /^ovn-\w+ (\S+)/m),
    firstLine(nodes[0], ['uname', '-r'], /^(\S+)/),
  ]);
  return { frr, ovs: ovsVersion, ovn: ovnVersion, kernel };
}

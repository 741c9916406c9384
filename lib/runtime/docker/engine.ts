// The Docker engine as the Docker runtime uses it: is it there, start one node's container
// (through testcontainers), and wire two containers with a veth pair.
import { dirname } from 'node:path';
import { exec } from '../../exec.ts';
import { PROJECT_ROOT } from '../../paths.ts';
import { namespaceName } from '../../names.ts';
import { hostMissingCapabilities } from './capabilities.ts';

export const LAB_LABEL = 'netproof.lab';
export const NODE_LABEL = 'netproof.node';

// No registry is reachable: Ryuk (testcontainers' reaper) cannot be pulled, so netproof sweeps
// its containers itself, by label; and without a host override testcontainers pulls alpine to
// find the Docker host's address. Set before testcontainers is first imported.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= 'localhost';

// Nodes use no Docker network: without its bridge, firewall rules and forwarding switch,
// dockerd leaves the host's root namespace as it was.
export const DOCKERD_ARGV = ['dockerd', '--bridge=none', '--iptables=false', '--ip6tables=false', '--ip-forward=false'];

export interface DockerEngine {
  cli: boolean;
  running: boolean;
  error?: string;
  /** Local images as repository:tag. */
  images: string[];
}

export async function dockerEngine(): Promise<DockerEngine> {
  const info = await exec(['docker', 'info', '--format', '{{.ServerVersion}}'], { timeoutMs: 15_000 }).catch(() => undefined);
  if (!info) return { cli: false, running: false, images: [] };
  if (info.exitCode !== 0) return { cli: true, running: false, error: (info.stderr || info.stdout).trim().split('\n').pop(), images: [] };
  const images = await exec(['docker', 'image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']);
  return { cli: true, running: true, images: images.stdout.split('\n').filter(Boolean) };
}

export interface ContainerBind {
  source: string;
  target: string;
  mode: 'ro' | 'rw';
}

export interface NodeContainerSpec {
  lab: string;
  node: string;
  image: string;
  binds: ContainerBind[];
  /** Namespaced sysctls set at creation, as containerlab's `sysctls`. */
  sysctls?: Record<string, string>;
}

/**
 * What a netproof node mounts: its state directory at the same path (daemons' files are where
 * the netns runtime puts them), and netproof's own root (the clone, or the installed package) and
 * this Node read-only at the same paths, so netproof's own tools (trafgen) run in nodes as on the host.
 */
export function netproofNodeBinds(stateDir: string): ContainerBind[] {
  return [
    { source: stateDir, target: stateDir, mode: 'rw' },
    { source: PROJECT_ROOT, target: PROJECT_ROOT, mode: 'ro' },
    ...(process.execPath.startsWith(PROJECT_ROOT) ? [] : [{ source: dirname(process.execPath), target: dirname(process.execPath), mode: 'ro' as const }]),
  ];
}

/** Start one node's container and return its init's PID on the host (its network namespace). */
export async function startNodeContainer(spec: NodeContainerSpec): Promise<number> {
  const { GenericContainer, getContainerRuntimeClient } = await import('testcontainers');
  // Near-privileged: `--privileged` fails where the host's bounding set lacks a capability.
  class NodeContainer extends GenericContainer {
    constructor(image: string) {
      super(image);
      // /dev/net/tun for OVS's userspace datapath; /proc/sys writable for FRR's and the faults'
      // net.* sysctls; an init that reaps the daemons a fault kills.
      this.hostConfig.Devices = [{ PathOnHost: '/dev/net/tun', PathInContainer: '/dev/net/tun', CgroupPermissions: 'rwm' }];
      this.hostConfig.MaskedPaths = [];
      this.hostConfig.ReadonlyPaths = [];
      this.hostConfig.Init = true;
      if (spec.sysctls) this.hostConfig.Sysctls = spec.sysctls;
    }
  }
  const started = await new NodeContainer(spec.image)
    .withName(namespaceName(spec.lab, spec.node))
    .withHostname(spec.node)
    .withLabels({ [LAB_LABEL]: spec.lab, [NODE_LABEL]: spec.node })
    .withNetworkMode('none')
    .withAddedCapabilities('ALL')
    .withDroppedCapabilities(...hostMissingCapabilities())
    .withSecurityOpt('seccomp=unconfined', 'apparmor=unconfined')
    .withBindMounts(spec.binds)
    .withCommand(['sleep', 'infinity'])
    .withStartupTimeout(60_000)
    .start();
  const client = await getContainerRuntimeClient();
  const pid = (await client.container.inspect(client.container.getById(started.getId()))).State.Pid;
  if (!pid) throw new Error(`container ${started.getName()} started but has no PID`);
  return pid;
}

/**
 * A veth pair created straight into two containers' network namespaces (by their PIDs): no
 * end ever appears in the host's namespace, so nothing there is touched or left behind.
 */
export function containerVethArgv(a: { pid: number; iface: string }, b: { pid: number; iface: string }, mtu?: number): string[] {
  const mtuArgs = mtu !== undefined ? ['mtu', String(mtu)] : [];
  return ['ip', 'link', 'add', 'name', a.iface, ...mtuArgs, 'netns', String(a.pid), 'type', 'veth', 'peer', 'name', b.iface, ...mtuArgs, 'netns', String(b.pid)];
}

export interface LabContainer {
  id: string;
  name: string;
  lab: string;
  node: string;
}

/** Containers carrying netproof's lab label (of one lab, or of every lab). None if no engine answers. */
export async function labContainers(lab?: string): Promise<LabContainer[]> {
  const format = `{{json .ID}}\t{{json .Names}}\t{{json (.Label "${LAB_LABEL}")}}\t{{json (.Label "${NODE_LABEL}")}}`;
  const r = await exec(['docker', 'ps', '--all', '--no-trunc', '--filter', `label=${LAB_LABEL}${lab ? `=${lab}` : ''}`, '--format', format]).catch(() => undefined);
  if (!r || r.exitCode !== 0) return [];
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, name, labName, node] = line.split('\t').map((field) => JSON.parse(field) as string);
      return { id: id!, name: name!, lab: labName!, node: node! };
    });
}

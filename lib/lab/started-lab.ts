// What a running lab offers suites and probes, whatever runs it (namespaces, containers).
// Probes and suites only ever see this interface: argv in, result out; no host paths.
import type { ExecOptions, ExecResult, LineChannel } from '../exec.ts';
import type { LabNode, Topology } from '../model/topology.ts';
import type { FrrConfigProblem } from './frr-config-problems.ts';

export type { FrrConfigProblem };

/** Options of a command run inside a node: `env` adds to the node's environment, never the host's. */
export type NodeExecOptions = Omit<ExecOptions, 'env'> & { env?: Record<string, string> };

export interface NodeHandle {
  readonly name: string;
  readonly spec: LabNode;
  /** FRR daemons the runtime started on this node (empty for hosts). */
  readonly frrDaemons: readonly string[];
  /**
   * Every daemon the runtime started on this node: its FRR daemons, then its OVS/OVN ones
   * (ovsdb-server, ovs-vswitchd, ovn-controller on a chassis; ovsdb-server-nb, ovsdb-server-sb,
   * ovn-northd on the OVN central).
   */
  readonly daemons: readonly string[];
  /** Run argv inside the node. A non-zero exit is a result, not an exception. */
  exec(argv: readonly string[], opts?: NodeExecOptions): Promise<ExecResult>;
  /** Start argv in the background inside the node (a listener, a capture); it dies with the lab at the latest. */
  spawn(argv: readonly string[]): BackgroundProcess;
  /** argv that runs one of netproof's own Node tools (an absolute path from ownFile) inside the node. */
  toolArgv(script: string, args: readonly string[]): string[];
  /**
   * Keep argv running inside the node, talking in lines both ways (a tool that serves several
   * jobs); it ends when closed, with the lab at the latest, and does not keep netproof running.
   */
  openChannel(argv: readonly string[]): LineChannel;
  /**
   * Kill one of `daemons` (a fault) by the pid in the node's own pidfile; startDaemon starts it
   * again as bring-up did, with the same configuration. A name not in `daemons` is a UsageError.
   */
  stopDaemon(daemon: string): Promise<void>;
  startDaemon(daemon: string): Promise<void>;
  /** Whether one of `daemons` runs: the process in its pidfile is alive (not a zombie) and is that daemon. */
  daemonRunning(daemon: string): Promise<boolean>;
  /** Run one vtysh command against the node's FRR. */
  vtysh(command: string): Promise<ExecResult>;
  /**
   * The output of `ip -j <args>` (one line of JSON), e.g. ['route', 'show', 'table', 'main']: a
   * command without options (IPv4 is ip's default family for route; `{ family: 6 }` reads
   * IPv6, as `ip -6 -j <args>`). Read through one `ip -j -batch -` per family the node
   * keeps open while it is used, not a process per read; a command ip refuses rejects, and so
   * do reads queued behind it.
   */
  ipJson(args: readonly string[], opts?: IpReadOptions): Promise<string>;
  /**
   * `ovs-appctl` against one of the node's OVS/OVN daemons (e.g. 'ovs-vswitchd', ['bfd/show',
   * 'ovn-host1-0']): what the databases do not hold, such as a BFD session's negotiated timers.
   * A daemon the node does not run is a UsageError; a non-zero exit is a result.
   */
  appctl(daemon: string, args: readonly string[]): Promise<ExecResult>;
  /** Text of a log file the node's daemons wrote (e.g. "bgpd"), for reports; undefined if none. */
  daemonLog(daemon: string): Promise<string | undefined>;
  /** The node's reads as a NodeReader (see there). */
  openReader(): NodeReader;
}

/**
 * Which family an `ip` read lists. A batch line cannot choose it (`-6` belongs to the ip
 * process), and `ip route show` lists IPv4 unless told; `route get ADDRESS` follows the address,
 * and `addr show` lists both.
 */
export interface IpReadOptions {
  family?: 4 | 6;
}

/**
 * Reads for polls that time something (BFD detection, a FIB withdrawal) over connections kept
 * open: starting vtysh or ip for every read costs more CPU than the daemons being timed get.
 * The node keeps those connections (closed after a while unused), so a reader is a view of them
 * and close() is only a courtesy kept for checks written against it.
 */
export interface NodeReader {
  /** One FRR daemon's output for a show command (e.g. bfdd, 'show bfd peers json'). */
  show(daemon: string, command: string): Promise<string>;
  /** The output of `ip -j <args>` (one line of JSON), e.g. ['route', 'show', 'exact', '10.0.0.1/32']: a command, no options; `{ family: 6 }` for IPv6. */
  ipJson(args: readonly string[], opts?: IpReadOptions): Promise<string>;
  close(): Promise<void>;
}

export interface BackgroundProcess {
  readonly argv: readonly string[];
  /** Resolves with the exit code (or null if killed) once it ends. */
  readonly exited: Promise<number | null>;
  /** Everything it wrote so far (stdout and stderr). */
  output(): string;
  /** Stop it (SIGTERM) and wait for it to end. */
  stop(): Promise<void>;
}

export interface LabTimes {
  /** Epoch ms when deploy started. */
  deployStartedAt: number;
  /** Epoch ms when every node and link was up and every daemon started. */
  deployedAt: number;
}

export interface StartedLab extends AsyncDisposable {
  readonly name: string;
  readonly runtime: string;
  readonly topology: TopologyData;
  readonly times: LabTimes;
  /** What FRR refused of the routers' configuration at bring-up; empty when every line took effect. */
  readonly frrConfigProblems: readonly FrrConfigProblem[];
  /** What bring-up did beyond the topology's letter, for the report (e.g. neighbour entries pinned on a large lab). */
  readonly bringUpNotes?: readonly string[];
  node(name: string): NodeHandle;
  nodes(): NodeHandle[];
  /** Tear everything down (the same as destroy). */
  stop(): Promise<void>;
  /** Tear everything down. */
  destroy(): Promise<void>;
}

/** A topology without its source locator: what survives in a lab's state file. */
export type TopologyData = Omit<Topology, 'locate'>;

export function toTopologyData(t: Topology): TopologyData {
  const { locate: _locate, ...data } = t;
  return data;
}

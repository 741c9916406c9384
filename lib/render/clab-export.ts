// A lab as containerlab (or clabernetes) deploys it without netproof: every node explicit,
// every file it needs bound from beside the clab file, and what netproof's runtimes do at
// bring-up (OVS and OVN daemons, the chassis bridges, FRR on the node image, VM interfaces,
// the OVN northbound intent) written as the node's `exec` lines, in bring-up order. Pure:
// returns the document and the files to write; lib/cli/export.ts writes them.
import { basename } from 'node:path';
import { quote } from 'shell-quote';
import { planOverlayNodes, sendingEndsOf, type ChassisPlan } from '../plan/chassis.ts';
import { listedDaemons } from './frr-daemons.ts';
import { ALWAYS_RUNNING_DAEMONS, KNOWN_DAEMONS } from '../topology/frr-daemon-names.ts';
import { centralArgvs, chassisDaemonArgvs, chassisSetupSteps, ovsEnv } from './ovn-daemons.ts';
import type { LabNode, Topology } from '../model/topology.ts';
import { NODE_IMAGE } from './clab.ts';
import { renderDaemons } from './frr.ts';
import { nbTransactionArgv, vmInterfaceArgvs } from './ovn.ts';

/** Where OVS/OVN keep databases, sockets and logs inside an exported node. */
export const EXPORT_OVS_DIR = '/var/lib/netproof';
/** Where bound netproof files (flows, rulesets) appear inside an exported node. */
export const EXPORT_FILES_DIR = '/etc/netproof';
/** Debian's FRR start script: reads /etc/frr/daemons, loads /etc/frr/frr.conf, sockets where vtysh looks. */
export const FRR_START = ['/usr/lib/frr/frrinit.sh', 'start'];

/** A file to write beside the clab file: copied from `from`, or with `text`. */
export type ExportFile = { path: string; from: string } | { path: string; text: string };

export interface ClabExport {
  /** The containerlab document. */
  clab: Record<string, unknown>;
  files: ExportFile[];
}

interface NodeOut {
  image: string;
  binds: string[];
  exec: string[][];
  /** kind: frr's own fields (startup-config, extras.frr.daemons), when FRR nodes are written in that form. */
  frrKind?: { startupConfig?: string; daemons: string[] };
}

/**
 * How FRR nodes are written: `linux` with frr.conf and daemons bound into /etc/frr (what every
 * containerlab release runs), or containerlab's `frr` kind (PR 3382) with startup-config and
 * extras.frr.daemons.
 */
export const FRR_KIND_FORMS = ['linux', 'frr'] as const;
export type FrrKindForm = (typeof FRR_KIND_FORMS)[number];

export interface ExportOptions {
  frrKind?: FrrKindForm;
  /** The text of a node's bound daemons file (the renderer is pure: lib/cli/export.ts reads it). */
  daemonsFileText?: (node: LabNode) => string | undefined;
}

const ROUTER_FORWARDING = { 'net.ipv4.ip_forward': '1', 'net.ipv6.conf.all.forwarding': '1' };

export function renderExport(topology: Topology, frrConfigText: (node: LabNode) => string | undefined, opts: ExportOptions = {}): ClabExport {
  const frrKind = opts.frrKind ?? 'linux';
  const files: ExportFile[] = [];
  const overlay = topology.overlay ? planOverlayNodes(topology) : undefined;
  const chassisPeers = new Set(overlay?.chassis.flatMap((c) => c.uplinks.map((u) => u.peer.node)) ?? []);
  const out = new Map<string, NodeOut>();
  // Nodes netproof configures beyond FRR run on its node image (FRR, OVS, OVN, ethtool, probe tools).
  const needsNodeImage = (n: LabNode) => Boolean(overlay) && (n.tier !== undefined || chassisPeers.has(n.name));

  for (const n of topology.nodes) {
    const image = needsNodeImage(n) ? NODE_IMAGE : (n.image ?? NODE_IMAGE);
    const binds: string[] = [];
    for (const b of n.binds) {
      // FRR's files are placed below; every other bind is copied beside the clab file.
      if (n.frr && (b.hostPath === n.frr.config || b.hostPath === n.frr.daemons)) continue;
      const rel = `${n.name}/${basename(b.hostPath)}`;
      files.push({ path: rel, from: b.hostPath });
      binds.push(`${rel}:${b.nodePath}${b.mode ? `:${b.mode}` : ''}`);
    }
    let frrKindFields: NodeOut['frrKind'];
    if (n.frr) {
      // Per-daemon files were copied above, bound where FRR's start-up reads them (/etc/frr/bgpd.conf…).
      const conf = `${n.name}/frr.conf`;
      if (n.frr.config) files.push({ path: conf, from: n.frr.config });
      else if (n.frr.configText !== undefined) files.push({ path: conf, text: n.frr.configText });
      const hasConf = n.frr.config !== undefined || n.frr.configText !== undefined;
      const daemons = listedDaemons(n.frr, n.frr.daemons ? opts.daemonsFileText?.(n) : undefined, frrConfigText(n));
      if (frrKind === 'frr') {
        // The kind writes frr.conf, daemons and vtysh.conf itself, from these two fields.
        frrKindFields = { ...(hasConf ? { startupConfig: conf } : {}), daemons: kindDaemonList(daemons) };
      } else {
        if (hasConf) binds.push(`${conf}:/etc/frr/frr.conf`);
        if (n.frr.daemons) files.push({ path: `${n.name}/daemons`, from: n.frr.daemons });
        else files.push({ path: `${n.name}/daemons`, text: renderDaemons(daemons) });
        binds.push(`${n.name}/daemons:/etc/frr/daemons`);
      }
    }
    out.set(n.name, { image, binds, exec: [], ...(frrKindFields ? { frrKind: frrKindFields } : {}) });
  }

  const exec = (node: string, ...argvs: string[][]) => out.get(node)!.exec.push(...argvs);
  const bindFile = (node: string, name: string, text: string) => {
    files.push({ path: `${node}/${name}`, text });
    out.get(node)!.binds.push(`${node}/${name}:${EXPORT_FILES_DIR}/${name}:ro`);
    return `${EXPORT_FILES_DIR}/${name}`;
  };

  if (overlay) {
    const { create, start } = centralArgvs(EXPORT_OVS_DIR);
    exec(overlay.central.node, ['mkdir', '-p', EXPORT_OVS_DIR], ...create, ...start.map(withOvsEnv));
    for (const c of overlay.chassis) exec(c.node, ...chassisSteps(c, bindFile));
    for (const c of overlay.chassis) {
      // The sending ends of veths OVS reads fill in their checksums (see DESIGN, overlay note 4).
      for (const end of sendingEndsOf(c)) exec(end.node, ['ethtool', '-K', end.iface, 'tx', 'off']);
    }
  }
  // FRR after OVS: a chassis' addresses live on br-phy, which must exist when zebra starts.
  for (const n of topology.nodes) if (n.role === 'router' && out.get(n.name)!.image === NODE_IMAGE) exec(n.name, FRR_START);
  if (overlay) {
    for (const c of overlay.chassis) exec(c.node, withOvsEnv(chassisDaemonArgvs(EXPORT_OVS_DIR).controller));
    for (const vm of topology.overlay!.vms) exec(vm.name, ...vmInterfaceArgvs(topology.overlay!, vm.name));
    exec(overlay.central.node, nbTransactionArgv(topology.overlay!));
  }
  // The node's own exec lines last, as containerlab runs them once the node is up.
  for (const n of topology.nodes) exec(n.name, ...n.exec);

  const nodes = Object.fromEntries(
    topology.nodes.map((n) => {
      const o = out.get(n.name)!;
      const sysctls = { ...(n.role === 'router' ? ROUTER_FORWARDING : {}), ...n.sysctls };
      return [
        n.name,
        {
          kind: o.frrKind ? 'frr' : 'linux',
          image: o.image,
          ...(o.frrKind?.startupConfig ? { 'startup-config': o.frrKind.startupConfig } : {}),
          ...(o.frrKind ? { extras: { frr: { daemons: o.frrKind.daemons } } } : {}),
          // No management network: it would be a second path between nodes, and its default
          // route would clash with the VMs' own. The lab has only the links it describes.
          'network-mode': 'none',
          ...(Object.keys(n.labels).length ? { labels: n.labels } : {}),
          ...(o.binds.length ? { binds: o.binds } : {}),
          ...(Object.keys(sysctls).length ? { sysctls } : {}),
          ...(o.exec.length ? { exec: o.exec.map((argv) => quote(argv)) } : {}),
        },
      ];
    }),
  );
  const links = topology.links.map((l) => {
    const addressed = l.endpoints.some((e) => e.ipv4 || e.ipv6);
    if (!addressed) return { endpoints: l.endpoints.map((e) => `${e.node}:${e.iface}`), ...(l.mtu ? { mtu: l.mtu } : {}) };
    return {
      type: 'veth',
      ...(l.mtu ? { mtu: l.mtu } : {}),
      endpoints: l.endpoints.map((e) => ({ node: e.node, interface: e.iface, ...(e.ipv4 ? { ipv4: e.ipv4 } : {}), ...(e.ipv6 ? { ipv6: e.ipv6 } : {}) })),
    };
  });
  return { clab: { name: topology.name, topology: { nodes, links } }, files };
}

/**
 * extras.frr.daemons for the daemons a node runs. containerlab reads an empty list as every
 * daemon, so a router that runs only those FRR always starts names zebra (listed, it changes nothing).
 */
function kindDaemonList(daemons: readonly string[]): string[] {
  const switched = KNOWN_DAEMONS.filter((d) => daemons.includes(d));
  return switched.length ? switched : [ALWAYS_RUNNING_DAEMONS[0]!];
}

/** Exec lines carry no environment of their own: `env` gives the OVS/OVN tools their directories. */
const withOvsEnv = (argv: string[]) => ['env', ...Object.entries(ovsEnv(EXPORT_OVS_DIR)).map(([k, v]) => `${k}=${v}`), ...argv];
/** The tools that find their daemons through that environment (ovsdb-tool is given paths). */
const usesOvsEnv = (argv: string[]) => /^(ovs-|ovn-|ovsdb-server$)/.test(argv[0]!);

/** The chassis' bring-up as exec lines: what the runtimes pipe in is bound as a file. */
function chassisSteps(c: ChassisPlan, bindFile: (node: string, name: string, text: string) => string): string[][] {
  const steps = chassisSetupSteps(c, EXPORT_OVS_DIR).map((step) => {
    const argv = step.stdin ? [...step.argv.slice(0, -1), bindFile(c.node, step.stdin.fileName, step.stdin.text)] : step.argv;
    return usesOvsEnv(argv) ? withOvsEnv(argv) : argv;
  });
  return [['mkdir', '-p', EXPORT_OVS_DIR], ...steps];
}

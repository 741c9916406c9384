// GENEVE MTU: measure the tunnel's per-packet overhead on an underlay link, find the largest
// don't-fragment packet every equal-cost underlay path carries between each two hosts (each way),
// and check every VM's MTU leaves room for the overhead on the smallest underlay MTU of its paths.
// Too large an MTU is a black hole (OVS drops the packet, no ICMP reaches the VM, TCP stalls): a
// bulk transfer proves it is not. North–south, a VM whose MTU is larger than the provider
// network's must get ICMP "fragmentation needed" from its router's gateway port (gateway_mtu),
// and TCP at its own MTU to the outside world must complete.
import { attachment, step } from 'allure-js-commons';
import { describe, expect, expectNoCulprits, skipWithoutOverlay, test } from '../lib/testkit/index.ts';
import { checkTimeoutMs } from '../lib/testkit/deadline.ts';
import { waitFor } from '../lib/wait-for.ts';
import type { StartedLab } from '../lib/lab/started-lab.ts';
import type { Overlay, VmPort } from '../lib/model/overlay.ts';
import { expectedMatrix, type Cell } from '../lib/plan/acl-matrix.ts';
import { planOverlayNodes } from '../lib/plan/chassis.ts';
import { pathKey, pathLabel } from '../lib/plan/ecmp-paths.ts';
import { tunnelPairs } from '../lib/plan/tunnel-pairs.ts';
import { underlayPathMtu } from '../lib/plan/underlay-paths.ts';
import { innerBytes, pathMtuCulprits } from '../lib/expect/path-mtu.ts';
import { measureTunnelPaths, type PathMtuMeasurement } from '../lib/probes/path-mtu.ts';
import { genevePackets, parsePcap, type GenevePacket } from '../lib/probes/pcap.ts';
import { bulkTcp, ping } from '../lib/probes/traffic.ts';
import { judge } from '../lib/plan/acl-matrix.ts';
import { northSouthMtuCases } from '../lib/plan/north-south-mtu.ts';
import { OUTSIDE_PORTS } from '../lib/plan/nat-matrix.ts';
import { northSouthMtuProblem } from '../lib/expect/north-south-mtu.ts';
import { dfPing } from '../lib/probes/df-ping.ts';
import { listNbTable } from '../lib/probes/nb-tables.ts';
import { column } from '../lib/probes/ovsdb-json.ts';
import { ovsdbMap } from '../lib/probes/ovn-lbs.ts';
import { routerPortName } from '../lib/render/ovn.ts';
import { recordFigure, recordObservations } from '../lib/report/figures.ts';

const IP_ICMP_HEADERS = 28;
const PROBE_PAYLOAD = 1000;
const BULK_BYTES = 2 * 1024 * 1024;
/** A healthy path moves 2 MiB in well under a second; a black hole moves nothing however long it gets. */
const BULK_TIMEOUT_S = 8;

/** One VM pair per ordered pair of hosts (each direction: the paths back may differ), whose ICMP the intent allows. */
function hostPairs(overlay: Overlay): { src: VmPort; dst: VmPort }[] {
  const vm = new Map(overlay.vms.map((v) => [v.name, v]));
  const seen = new Set<string>();
  const out: { src: VmPort; dst: VmPort }[] = [];
  for (const c of expectedMatrix(overlay)) {
    if (c.probe.protocol !== 'icmp' || c.expected !== 'allow') continue;
    const [src, dst] = [vm.get(c.src)!, vm.get(c.dst)!];
    const key = `${src.host}>${dst.host}`;
    if (src.host === dst.host || seen.has(key)) continue;
    seen.add(key);
    out.push({ src, dst });
  }
  return out;
}

/** The underlay interface (leaf side) a host's tunnel to `dstTep` leaves by: from the host's own FIB. */
async function uplinkPeerTowards(lab: StartedLab, host: string, dstTep: string): Promise<{ node: string; iface: string }> {
  const chassis = planOverlayNodes(lab.topology).chassis.find((c) => c.node === host)!;
  const r = await lab.node(host).exec(['ip', '-j', 'route', 'get', dstTep]);
  const gateway = (JSON.parse(r.stdout) as { gateway?: string }[])[0]?.gateway;
  for (const u of chassis.uplinks) {
    const addrs = JSON.parse((await lab.node(u.peer.node).exec(['ip', '-j', 'addr', 'show', 'dev', u.peer.iface])).stdout) as { addr_info: { local: string }[] }[];
    if (addrs[0]?.addr_info.some((a) => a.local === gateway)) return u.peer;
  }
  throw new Error(`${host}: its route to ${dstTep} (via ${gateway ?? 'nothing'}) leaves by none of its uplinks`);
}

let overhead: Promise<{ packet: GenevePacket; link: string }> | undefined;

/** Capture one known-size inner packet on the underlay and read the overhead off the wire. */
function measureOverhead(lab: StartedLab, overlay: Overlay) {
  overhead ??= (async () => {
    const pair = hostPairs(overlay)[0];
    if (!pair) throw new Error('no two VMs on different hosts may ping each other: nothing crosses the underlay to measure');
    const tep = new Map(planOverlayNodes(lab.topology).chassis.map((c) => [c.node, c.tep]));
    const peer = await uplinkPeerTowards(lab, pair.src.host, tep.get(pair.dst.host)!);
    const innerLength = PROBE_PAYLOAD + IP_ICMP_HEADERS;
    // Outer frames of the probe are longer than the inner packet; nothing else in the lab is.
    const filter = `udp dst port 6081 and src host ${tep.get(pair.src.host)} and greater ${innerLength}`;
    let done = false;
    const capture = lab
      .node(peer.node)
      .exec(['timeout', '15', 'tcpdump', '-i', peer.iface, '-n', '-U', '-c', '1', '-w', '-', filter], { encoding: 'latin1', timeoutMs: 30_000 })
      .finally(() => (done = true));
    await waitFor(
      async () => {
        if (done) return { ok: true, value: true };
        await ping(lab.node(pair.src.name), pair.dst.ip, { payloadBytes: PROBE_PAYLOAD, dontFragment: true });
        return done ? { ok: true, value: true } : { ok: false, reason: `no GENEVE packet from ${pair.src.host} seen on ${peer.node}:${peer.iface} yet` };
      },
      { timeoutMs: 20_000, intervalsMs: [200], description: `a GENEVE-encapsulated ping ${pair.src.name} → ${pair.dst.name} on ${peer.node}:${peer.iface}` },
    );
    const pcap = Buffer.from((await capture).stdout, 'latin1');
    await attachment(`geneve-${peer.node}-${peer.iface}.pcap`, pcap, 'application/vnd.tcpdump.pcap');
    const packet = genevePackets(parsePcap(pcap)).find((p) => p.inner.dst === pair.dst.ip && p.inner.ipLength === innerLength);
    if (!packet) throw new Error(`the capture on ${peer.node}:${peer.iface} holds no GENEVE packet carrying the ${innerLength}-byte probe to ${pair.dst.ip}`);
    return { packet, link: `${peer.node}:${peer.iface}` };
  })();
  return overhead;
}

describe('GENEVE MTU', () => {
  test('the GENEVE overhead is measured on an underlay link', async ({ lab, readyOverlay, task, skip }) => {
    skipWithoutOverlay(lab, skip);
    const overlay = await readyOverlay();
    const { packet, link } = await step('capture a known-size packet on the underlay', () => measureOverhead(lab, overlay));
    // The pieces must add up: outer IPv4 (20) + UDP (8) + Geneve with options + inner Ethernet (14).
    expect(packet.overheadBytes).toBe(20 + 8 + packet.genevBytes + 14);
    recordFigure({ task }, 'geneve_overhead_bytes', { value: packet.overheadBytes, unit: 'B', description: `outer minus inner IPv4 length of one GENEVE packet captured on ${link} (Geneve header + options ${packet.genevBytes} B)` });
  });

  test('every host pair, both ways, on every equal-cost underlay path, carries don\'t-fragment packets of the VM MTU plus the overhead (no black hole)', async ({ lab, readyOverlay, task, skip }) => {
    skipWithoutOverlay(lab, skip);
    const overlay = await readyOverlay();
    const pairs = tunnelPairs(overlay);
    if (!pairs.length) skip('the overlay joins no two VMs on different hosts: no tunnel to measure');
    const { packet } = await measureOverhead(lab, overlay);
    const tep = new Map(planOverlayNodes(lab.topology).chassis.map((c) => [c.node, c.tep]));
    // From the hosts' TEPs, steered per path by UDP source port (lib/probes/path-mtu.ts says why).
    const measured = await step(`follow every equal-cost path of ${pairs.length} host pairs and find each one's largest DF packet`, () =>
      measureTunnelPaths(lab, pairs.map((p) => ({ src: p.src, dst: p.dst, srcTep: tep.get(p.src)!, dstTep: tep.get(p.dst)! }))),
    );
    const overheadBytes = packet.overheadBytes;
    const described = (m: PathMtuMeasurement) => ({ path: pathLabel(m.path), sourcePort: m.port, largestDfBytes: m.search.largest, innerBytes: innerBytes(m, overheadBytes), probes: m.search.probes, mtus: m.mtus, ...(m.movedTo ? { movedTo: m.movedTo } : {}) });
    await attachment(
      'underlay-paths.json',
      JSON.stringify({ tunnels: measured.tunnels.map((t) => ({ pair: `${t.src} → ${t.dst}`, paths: t.paths.map(described), problems: t.problems })), branchesNoFlowTakes: measured.branches.map((b) => ({ of: b.of, from: b.srcIp, ...described(b) })) }, null, 2),
      'application/json',
    );
    const how = `the largest don't-fragment packet that arrived, minus the measured ${overheadBytes}-byte GENEVE overhead; measured from the TEPs (a VM cannot send more than its own MTU), searched up to the smallest interface MTU on the path`;
    const largest: Record<string, number> = {};
    for (const t of measured.tunnels.filter((x) => x.paths.length)) {
      const pair = `${t.src} → ${t.dst}`;
      const all = [...t.paths, ...measured.branches.filter((b) => b.of.includes(pair))];
      const inner = all.map((m) => innerBytes(m, overheadBytes));
      largest[pair] = Math.min(...inner);
      const perPath = all.map((m, i) => `${m.path.src === t.src ? pathKey(m.path) : `${m.path.src}-${pathKey(m.path)}`} ${inner[i]} B`).join(', ');
      recordFigure({ task }, `largest_inner_packet_bytes.${t.src}-${t.dst}`, { value: largest[pair], unit: 'B', description: `largest inner IPv4 packet ${pair} on every equal-cost underlay path (${perPath}): ${how}; a branch no flow takes is probed from the router that has it` });
      for (const m of t.paths) recordFigure({ task }, `largest_inner_packet_bytes.${t.src}-${t.dst}.${pathKey(m.path)}`, { value: innerBytes(m, overheadBytes), unit: 'B', description: `largest inner IPv4 packet ${pathLabel(m.path)} (source port ${m.port}): ${how}` });
    }
    for (const b of measured.branches) recordFigure({ task }, `largest_inner_packet_bytes.${b.path.src}-${b.path.dst}.${pathKey(b.path)}`, { value: innerBytes(b, overheadBytes), unit: 'B', description: `largest inner IPv4 packet ${pathLabel(b.path)}, an equal-cost branch of ${b.of.join(', ')} that no flow from their TEPs takes (routers that hash alike), probed from ${b.path.src}'s loopback ${b.srcIp} by source port ${b.port}: ${how}` });
    recordObservations({ task }, { largestPacket: largest });
    const taken = measured.tunnels.reduce((n, t) => n + t.paths.length, 0);
    expectNoCulprits(
      pathMtuCulprits(measured, pairs, overheadBytes),
      `of ${taken + measured.branches.length} equal-cost underlay paths (${taken} that flows of ${pairs.length} host pairs take, each way; ${measured.branches.length} branches none takes) carry less than the VM MTU plus the GENEVE overhead, or could not be measured`,
    );
  });

  test('every VM MTU fits the smallest underlay MTU on its paths minus the measured overhead', async ({ lab, readyOverlay, skip }) => {
    skipWithoutOverlay(lab, skip);
    const overlay = await readyOverlay();
    const { packet } = await measureOverhead(lab, overlay);
    const vm = new Map(overlay.vms.map((v) => [v.name, v]));
    const peersOf = new Map<string, Set<string>>();
    for (const c of expectedMatrix(overlay)) peersOf.set(c.src, (peersOf.get(c.src) ?? new Set()).add(c.dst));
    const violations: string[] = [];
    for (const v of overlay.vms) {
      for (const host of new Set([...(peersOf.get(v.name) ?? [])].map((d) => vm.get(d)!.host).filter((h) => h !== v.host))) {
        const path = underlayPathMtu(lab.topology.nodes, lab.topology.links, v.host, host);
        if (!path) continue;
        const fits = path.mtu - packet.overheadBytes;
        if (v.mtu > fits) violations.push(`${v.name} MTU ${v.mtu} but only ${fits} fits: ${packet.overheadBytes}-byte GENEVE overhead over ${path.mtu}-byte underlay on ${path.bottleneck} (path ${v.host} → ${host})`);
      }
    }
    expectNoCulprits(violations, 'VM MTUs leave no room for the GENEVE overhead');
  });

  test('a bulk TCP transfer at the VM MTU completes between every host pair', async ({ lab, readyOverlay, task, skip }) => {
    skipWithoutOverlay(lab, skip);
    const overlay = await readyOverlay();
    const vm = new Map(overlay.vms.map((v) => [v.name, v]));
    // One allowed TCP cell per host pair: the security groups must let the transfer through.
    const seen = new Set<string>();
    const cells: Cell[] = [];
    for (const c of expectedMatrix(overlay)) {
      const key = [vm.get(c.src)!.host, vm.get(c.dst)!.host].sort().join('|');
      if (c.probe.protocol !== 'tcp' || c.expected !== 'allow' || vm.get(c.src)!.host === vm.get(c.dst)!.host || seen.has(key)) continue;
      seen.add(key);
      cells.push(c);
    }
    if (!cells.length) skip('the intent allows TCP between no two VMs on different hosts');
    const results = [];
    for (const c of cells) {
      const src = vm.get(c.src)!;
      const dst = vm.get(c.dst)!;
      const received = await bulkTcp(lab.node(src.name), lab.node(dst.name), dst.ip, c.probe.port!, BULK_BYTES, Math.min(BULK_TIMEOUT_S, Math.ceil(checkTimeoutMs(lab) / 1000)));
      results.push({ src, dst, port: c.probe.port!, received });
    }
    recordFigure({ task }, 'bulk_tcp_transfers_complete', { value: results.filter((r) => r.received === BULK_BYTES).length, unit: 'transfers', description: `of ${results.length} ${BULK_BYTES}-byte TCP transfers at the VMs' MTU` });
    expectNoCulprits(
      results.filter((r) => r.received !== BULK_BYTES).map((r) => `${r.src.name} (MTU ${r.src.mtu}) → ${r.dst.name} tcp/${r.port}: ${r.received} of ${BULK_BYTES} bytes arrived`),
      `of ${results.length} bulk TCP transfers did not complete`,
    );
  });

  test('north–south: a VM larger than the provider network gets "fragmentation needed" from its gateway port, never a black hole, and TCP at its MTU to the outside completes', async ({ lab, readyOverlay, task, skip }) => {
    skipWithoutOverlay(lab, skip);
    const overlay = lab.topology.overlay!;
    if (!overlay.routers.some((r) => r.gateway)) skip(`not declared: no router in ${overlay.file} has a gateway`);
    const cases = northSouthMtuCases(lab.topology, overlay, routerPortName).filter((c) => c.expected);
    if (!cases.length) skip(`not declared: the links between the provider networks' nodes and the gateway chassis declare no mtu in ${lab.topology.file}`);
    await readyOverlay();
    const outcomes = await Promise.all(cases.map((c) => dfPing(lab.node(c.vm), c.outside.ip, c.vmMtu)));
    await attachment('north-south-mtu.json', JSON.stringify(cases.map((c, i) => ({ ...c, outcome: outcomes[i] })), null, 2), 'application/json');
    const problems = cases.flatMap((c, i) => northSouthMtuProblem(c, outcomes[i]!) ?? []);

    // TCP at the VM's own MTU: one VM per switch whose security groups let it reach the outside service port.
    const movers = [...new Map(cases.map((c) => [overlay.vms.find((v) => v.name === c.vm)!, c] as const).filter(([vm, c]) => judge(overlay, vm, 'egress', { protocol: 'tcp', port: OUTSIDE_PORTS.tcp }, { name: c.outside.node, ip: c.outside.ip }).ok).map(([vm, c]) => [vm.switch, { vm, c }])).values()];
    let complete = 0;
    for (const { vm, c } of movers) {
      const received = await bulkTcp(lab.node(vm.name), lab.node(c.outside.node), c.outside.ip, OUTSIDE_PORTS.tcp, BULK_BYTES, Math.min(BULK_TIMEOUT_S, Math.ceil(checkTimeoutMs(lab) / 1000)));
      if (received === BULK_BYTES) complete++;
      else problems.push(`${vm.name} (MTU ${vm.mtu}) → ${c.outside.node} ${c.outside.ip} tcp/${OUTSIDE_PORTS.tcp}: ${received} of ${BULK_BYTES} bytes arrived (path MTU discovery through ${c.port} did not work)`);
    }
    recordFigure({ task }, 'north_south_mtu_cases_passed', { value: cases.length - problems.filter((p) => p.includes("don't-fragment")).length, unit: 'VMs', description: `VMs whose MTU-sized don't-fragment packet towards the outside got what the provider MTU implies (of ${cases.length})` });
    recordFigure({ task }, 'north_south_bulk_tcp_complete', { value: complete, unit: 'transfers', description: `of ${movers.length} ${BULK_BYTES}-byte TCP transfers from a VM at its MTU to the outside world` });
    if (problems.length) {
      // What OVN's northbound DB holds for each gateway port named, for the message.
      const ports = await listNbTable(lab, 'Logical_Router_Port', 'name,options').then(
        (t) => new Map(t.data.map((row) => [String(row[column(t, 'name', 'list Logical_Router_Port')]), ovsdbMap(row[column(t, 'options', 'list Logical_Router_Port')]).gateway_mtu])),
        () => new Map<string, string | undefined>(),
      );
      const named = [...new Set(cases.map((c) => c.port))].map((p) => `${p}: options:gateway_mtu=${ports.get(p) ?? 'unset'} in the northbound DB`);
      expectNoCulprits([...problems, ...named], 'north–south path MTU is broken');
    }
  });
});

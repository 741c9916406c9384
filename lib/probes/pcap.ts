// Read a classic libpcap capture (as `tcpdump -w -` writes it) and measure GENEVE on the wire:
// for each encapsulated packet, the outer and inner IPv4 lengths. Pure.

export interface Frame {
  /** Length on the wire. */
  origLen: number;
  data: Buffer;
}

export function parsePcap(buf: Buffer): Frame[] {
  if (buf.length < 24) return [];
  const magic = buf.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && buf.readUInt32BE(0) !== 0xa1b2c3d4 && buf.readUInt32BE(0) !== 0xa1b23c4d) throw new Error(`not a pcap file (magic 0x${magic.toString(16)})`);
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linkType = u32(20);
  if (linkType !== 1) throw new Error(`pcap link type ${linkType} is not Ethernet`);
  const frames: Frame[] = [];
  for (let off = 24; off + 16 <= buf.length; ) {
    const incl = u32(off + 8);
    const origLen = u32(off + 12);
    if (off + 16 + incl > buf.length) break; // truncated last record
    frames.push({ origLen, data: buf.subarray(off + 16, off + 16 + incl) });
    off += 16 + incl;
  }
  return frames;
}

export const GENEVE_PORT = 6081;

export interface GenevePacket {
  outer: { src: string; dst: string; ipLength: number; frameLength: number };
  /** Geneve header incl. options. */
  genevBytes: number;
  inner: { src: string; dst: string; ipLength: number; protocol: number };
  /** Outer IPv4 packet length minus inner IPv4 packet length: what the tunnel costs the MTU. */
  overheadBytes: number;
}

const ipv4 = (b: Buffer, o: number) => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;

/** Decode Ethernet/IPv4/UDP:6081/Geneve/Ethernet/IPv4; frames that are anything else are skipped. */
export function genevePackets(frames: Frame[]): GenevePacket[] {
  const out: GenevePacket[] = [];
  for (const { data: b, origLen } of frames) {
    if (b.length < 14 + 20 + 8 + 8 || b.readUInt16BE(12) !== 0x0800) continue;
    const ip = 14;
    const ihl = (b[ip]! & 0x0f) * 4;
    if (b[ip + 9] !== 17) continue;
    const udp = ip + ihl;
    if (b.length < udp + 8 + 8) continue; // too short for UDP and Geneve behind IPv4 options
    if (b.readUInt16BE(udp + 2) !== GENEVE_PORT) continue;
    const gen = udp + 8;
    const optBytes = (b[gen]! & 0x3f) * 4;
    if (b.readUInt16BE(gen + 2) !== 0x6558) continue; // not transparent Ethernet bridging
    const innerEth = gen + 8 + optBytes;
    if (b.length < innerEth + 14 + 20 || b.readUInt16BE(innerEth + 12) !== 0x0800) continue;
    const inner = innerEth + 14;
    const outerLen = b.readUInt16BE(ip + 2);
    const innerLen = b.readUInt16BE(inner + 2);
    out.push({
      outer: { src: ipv4(b, ip + 12), dst: ipv4(b, ip + 16), ipLength: outerLen, frameLength: origLen },
      genevBytes: 8 + optBytes,
      inner: { src: ipv4(b, inner + 12), dst: ipv4(b, inner + 16), ipLength: innerLen, protocol: b[inner + 9]! },
      overheadBytes: outerLen - innerLen,
    });
  }
  return out;
}

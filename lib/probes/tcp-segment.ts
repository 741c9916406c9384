// One TCP segment built byte by byte, for probes that need a packet no socket would send (an ACK
// that belongs to no connection). It is sent through a raw IPv4 socket (`socat IP4-SENDTO:…:6`),
// so the kernel adds the IP header and the segment must carry its own checksum. Pure.

export const TCP_FLAGS = { fin: 0x01, syn: 0x02, rst: 0x04, psh: 0x08, ack: 0x10 } as const;
export type TcpFlag = keyof typeof TCP_FLAGS;

export interface TcpSegmentSpec {
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  /** Acknowledgement number (meaningful with the ack flag). */
  ack: number;
  flags: readonly TcpFlag[];
  /** Receive window in bytes (default 64240, what Linux offers). */
  window?: number;
}

const TCP_HEADER_BYTES = 20;
const IPPROTO_TCP = 6;

function ipv4Bytes(ip: string): number[] {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return parts;
}

function uint(name: string, v: number, max: number): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new Error(`TCP ${name} must be an integer from 0 to ${max} (got ${v})`);
  return v;
}

/** The Internet checksum (RFC 1071) of `bytes`: one's complement of the one's-complement sum of 16-bit words. */
export function internetChecksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) + (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** A 20-byte TCP header without options or payload, its checksum computed over the IPv4 pseudo-header. */
export function tcpSegment(s: TcpSegmentSpec): Buffer {
  const seg = Buffer.alloc(TCP_HEADER_BYTES);
  seg.writeUInt16BE(uint('source port', s.srcPort, 0xffff), 0);
  seg.writeUInt16BE(uint('destination port', s.dstPort, 0xffff), 2);
  seg.writeUInt32BE(uint('sequence number', s.seq, 0xffffffff), 4);
  seg.writeUInt32BE(uint('acknowledgement number', s.ack, 0xffffffff), 8);
  seg.writeUInt8((TCP_HEADER_BYTES / 4) << 4, 12);
  seg.writeUInt8(s.flags.reduce((f, name) => f | TCP_FLAGS[name], 0), 13);
  seg.writeUInt16BE(uint('window', s.window ?? 64240, 0xffff), 14);
  // Checksum (16) and urgent pointer (18) stay 0 until the checksum is known.
  const pseudo = Buffer.from([...ipv4Bytes(s.srcIp), ...ipv4Bytes(s.dstIp), 0, IPPROTO_TCP, 0, TCP_HEADER_BYTES]);
  seg.writeUInt16BE(internetChecksum(Buffer.concat([pseudo, seg])), 16);
  return seg;
}

import { describe, expect, it } from 'vitest';
import { GENEVE_PORT, genevePackets, parsePcap, type Frame } from './pcap.ts';

// ---- building frames from their fields ----

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_ARP = 0x0806;
const TRANSPARENT_ETHERNET = 0x6558;
const PROTO_ICMP = 1;
const PROTO_TCP = 6;
const PROTO_UDP = 17;

const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const ip4 = (s: string) => s.split('.').map(Number);
const mac = (s: string) => s.split(':').map((h) => parseInt(h, 16));

function ethernet(ethertype: number, payload: number[]): number[] {
  return [...mac('02:00:00:00:00:02'), ...mac('02:00:00:00:00:01'), ...u16(ethertype), ...payload];
}

/** An IPv4 header (IHL from the options given) and its payload; the total length field is filled in. */
function ipv4(protocol: number, src: string, dst: string, payload: number[], options: number[] = []): number[] {
  if (options.length % 4) throw new Error('test bug: IPv4 options come in 4-byte words');
  const headerBytes = 20 + options.length;
  const header = [
    0x40 | (headerBytes / 4), // version 4, IHL
    0, // DSCP/ECN
    ...u16(headerBytes + payload.length), // total length
    ...u16(0x1234), // identification
    ...u16(0x4000), // DF
    64, // TTL
    protocol,
    ...u16(0), // checksum (not checked)
    ...ip4(src),
    ...ip4(dst),
    ...options,
  ];
  return [...header, ...payload];
}

function udp(srcPort: number, dstPort: number, payload: number[]): number[] {
  return [...u16(srcPort), ...u16(dstPort), ...u16(8 + payload.length), ...u16(0), ...payload];
}

function icmpEcho(payloadBytes: number): number[] {
  return [8, 0, ...u16(0), ...u16(0x0001), ...u16(0x0001), ...Array.from({ length: payloadBytes }, (_, i) => i & 0xff)];
}

/** OVN's option: class 0x0102, type 0x80, length in 4-byte words after the option's own 4-byte header. */
const OVN_OPTION = [...u16(0x0102), 0x80, 1, 0x00, 0x01, 0x00, 0x02];

function geneve(options: number[], payload: number[], protocol = TRANSPARENT_ETHERNET): number[] {
  const vni = [0x00, 0x00, 0x05];
  return [
    (0 << 6) | (options.length / 4), // version 0, option length in 4-byte words
    0, // O and C flags clear
    ...u16(protocol),
    ...vni,
    0, // reserved
    ...options,
    ...payload,
  ];
}

const OUTER = { src: '10.255.2.1', dst: '10.255.2.2' };
const INNER = { src: '10.20.1.11', dst: '10.20.2.12' };

/** Ethernet / IPv4 / UDP 6081 / Geneve (one 8-byte option) / Ethernet / IPv4 / ICMP echo, and the sizes it was built from. */
function geneveFrame(
  icmpPayloadBytes = 56,
  opts: { outerOptions?: number[]; geneveOptions?: number[]; dstPort?: number; protocol?: number; innerEthertype?: number; outerEthertype?: number; outerProto?: number } = {},
) {
  const innerIp = ipv4(PROTO_ICMP, INNER.src, INNER.dst, icmpEcho(icmpPayloadBytes));
  const innerFrame = ethernet(opts.innerEthertype ?? ETH_IPV4, innerIp);
  const gen = geneve(opts.geneveOptions ?? OVN_OPTION, innerFrame, opts.protocol);
  const u = udp(49152, opts.dstPort ?? GENEVE_PORT, gen);
  const outerIp = ipv4(opts.outerProto ?? PROTO_UDP, OUTER.src, OUTER.dst, u, opts.outerOptions);
  const frame = ethernet(opts.outerEthertype ?? ETH_IPV4, outerIp);
  return {
    bytes: Buffer.from(frame),
    sizes: { frame: frame.length, outerIp: outerIp.length, udp: u.length, geneve: gen.length - innerFrame.length, innerFrame: innerFrame.length, innerIp: innerIp.length },
  };
}

// ---- pcap files ----

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
const LINKTYPE_ETHERNET = 1;

interface PcapRecord {
  data: Buffer;
  origLen?: number;
  /** Claim this incl_len instead of the data's length (to build a truncated file). */
  inclLen?: number;
}

function pcap(records: PcapRecord[], { littleEndian = true, magic = MAGIC_US, linkType = LINKTYPE_ETHERNET } = {}): Buffer {
  const w32 = (b: Buffer, v: number, o: number) => (littleEndian ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
  const w16 = (b: Buffer, v: number, o: number) => (littleEndian ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  const header = Buffer.alloc(24);
  w32(header, magic, 0);
  w16(header, 2, 4); // version 2.4
  w16(header, 4, 6);
  w32(header, 0, 8); // thiszone
  w32(header, 0, 12); // sigfigs
  w32(header, 262144, 16); // snaplen
  w32(header, linkType, 20);
  const parts: Buffer[] = [header];
  records.forEach((r, i) => {
    const rh = Buffer.alloc(16);
    w32(rh, 1_700_000_000 + i, 0);
    w32(rh, 1000 * i, 4);
    w32(rh, r.inclLen ?? r.data.length, 8);
    w32(rh, r.origLen ?? r.data.length, 12);
    parts.push(rh, r.data);
  });
  return Buffer.concat(parts);
}

const other = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7) & 0xff));

describe('parsePcap', () => {
  const a = other(60);
  const b = geneveFrame().bytes;

  it.each([
    ['little-endian, microseconds', true, MAGIC_US],
    ['big-endian, microseconds', false, MAGIC_US],
    ['little-endian, nanoseconds', true, MAGIC_NS],
    ['big-endian, nanoseconds', false, MAGIC_NS],
  ])('reads every record of a %s file', (_name, littleEndian, magic) => {
    const frames = parsePcap(pcap([{ data: a }, { data: b, origLen: b.length + 100 }], { littleEndian, magic }));
    expect(frames).toHaveLength(2);
    expect(Buffer.compare(frames[0]!.data, a)).toBe(0);
    expect(frames[0]!.origLen).toBe(a.length);
    expect(Buffer.compare(frames[1]!.data, b)).toBe(0);
    expect(frames[1]!.origLen).toBe(b.length + 100); // the length on the wire, not the captured part
  });

  it('has no frames in a file with only the global header', () => {
    expect(parsePcap(pcap([]))).toEqual([]);
  });

  it('skips a truncated last record and keeps the ones before it', () => {
    const file = pcap([{ data: a }, { data: b, inclLen: b.length + 10 }]);
    const frames = parsePcap(file);
    expect(frames).toHaveLength(1);
    expect(Buffer.compare(frames[0]!.data, a)).toBe(0);
    // A record header cut short is not a frame either.
    expect(parsePcap(pcap([{ data: a }]).subarray(0, 24 + 16 + a.length + 10))).toHaveLength(1);
  });

  it('throws on something that is not a pcap file, showing the magic it found', () => {
    const text = Buffer.from('this is certainly not a capture file, just text');
    expect(() => parsePcap(text)).toThrow(/^not a pcap file \(magic 0x[0-9a-f]+\)$/);
    const pcapng = Buffer.concat([Buffer.from([0x0a, 0x0d, 0x0d, 0x0a]), Buffer.alloc(40)]);
    expect(() => parsePcap(pcapng)).toThrow('not a pcap file (magic 0xa0d0d0a)');
  });

  it.each([true, false])('throws on a link type other than Ethernet (little-endian: %s)', (littleEndian) => {
    expect(() => parsePcap(pcap([{ data: a }], { littleEndian, linkType: 101 }))).toThrow('pcap link type 101 is not Ethernet');
    expect(() => parsePcap(pcap([{ data: a }], { littleEndian, linkType: 113 }))).toThrow('pcap link type 113 is not Ethernet');
  });
});

describe('genevePackets', () => {
  const frameOf = (bytes: Buffer, origLen = bytes.length): Frame => ({ data: bytes, origLen });

  it('decodes outer and inner addresses and lengths of a GENEVE frame', () => {
    const { bytes, sizes } = geneveFrame(56);
    const [p, ...rest] = genevePackets(parsePcap(pcap([{ data: bytes }])));
    expect(rest).toEqual([]);
    expect(p).toEqual({
      outer: { src: OUTER.src, dst: OUTER.dst, ipLength: sizes.outerIp, frameLength: sizes.frame },
      genevBytes: sizes.geneve,
      inner: { src: INNER.src, dst: INNER.dst, ipLength: sizes.innerIp, protocol: PROTO_ICMP },
      overheadBytes: sizes.outerIp - sizes.innerIp,
    });
    expect(sizes.geneve).toBe(8 + OVN_OPTION.length);
  });

  it('puts the whole encapsulation in the overhead: outer IP + UDP + Geneve with options + inner Ethernet', () => {
    for (const payload of [0, 56, 1000, 1414]) {
      const { bytes, sizes } = geneveFrame(payload);
      const [p] = genevePackets([frameOf(bytes)]);
      expect(p!.overheadBytes, `ICMP payload ${payload}`).toBe(20 + sizes.udp - sizes.innerIp);
      expect(p!.overheadBytes).toBe(20 + 8 + sizes.geneve + 14);
      expect(p!.inner.ipLength).toBe(20 + 8 + payload);
    }
  });

  it('takes the frame length from the record’s length on the wire', () => {
    const { bytes } = geneveFrame();
    const [p] = genevePackets([frameOf(bytes, bytes.length + 4)]);
    expect(p!.outer.frameLength).toBe(bytes.length + 4);
  });

  it('finds UDP after outer IPv4 options, and counts them in the overhead', () => {
    const options = [0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00]; // NOPs and an end-of-list
    const { bytes, sizes } = geneveFrame(56, { outerOptions: options });
    const [p] = genevePackets([frameOf(bytes)]);
    expect(p).toMatchObject({ outer: { src: OUTER.src, dst: OUTER.dst, ipLength: sizes.outerIp }, inner: { dst: INNER.dst, ipLength: sizes.innerIp } });
    expect(p!.overheadBytes).toBe(20 + options.length + 8 + sizes.geneve + 14);
  });

  it.each([
    ['no options', []],
    ['two options', [...OVN_OPTION, ...u16(0x0103), 0x01, 1, 0xde, 0xad, 0xbe, 0xef]],
    ['one 12-byte option', [...u16(0x0102), 0x80, 2, 1, 2, 3, 4, 5, 6, 7, 8]],
    ['a 128-byte option (the length field’s top bit)', [...u16(0x0102), 0x80, 31, ...Array.from({ length: 124 }, (_, i) => i)]],
  ])('reads the Geneve option length from the header: %s', (_name, geneveOptions) => {
    const { bytes, sizes } = geneveFrame(56, { geneveOptions });
    const [p] = genevePackets([frameOf(bytes)]);
    expect(sizes.geneve).toBe(8 + geneveOptions.length);
    expect(p).toMatchObject({ genevBytes: sizes.geneve, inner: { src: INNER.src, dst: INNER.dst, ipLength: sizes.innerIp, protocol: PROTO_ICMP } });
    expect(p!.overheadBytes).toBe(sizes.outerIp - sizes.innerIp);
  });

  it('keeps only the GENEVE frames of a capture, in order', () => {
    const small = geneveFrame(8).bytes;
    const large = geneveFrame(1000).bytes;
    const skipped = [
      geneveFrame(56, { dstPort: 4789 }).bytes, // VXLAN's port: UDP but not GENEVE
      geneveFrame(56, { dstPort: 53 }).bytes,
      geneveFrame(56, { outerProto: PROTO_TCP }).bytes, // not UDP
      geneveFrame(56, { outerEthertype: ETH_IPV6 }).bytes, // not IPv4
      geneveFrame(56, { outerEthertype: ETH_ARP }).bytes,
      geneveFrame(56, { protocol: 0x0800 }).bytes, // GENEVE carrying bare IPv4, not Ethernet
      geneveFrame(56, { innerEthertype: ETH_ARP }).bytes, // inner frame is not IPv4
      Buffer.from(ethernet(ETH_IPV4, ipv4(PROTO_UDP, '10.0.0.1', '10.0.0.2', udp(1000, 2000, [1, 2, 3, 4])))),
    ];
    const packets = genevePackets(parsePcap(pcap([skipped[0]!, small, ...skipped.slice(1), large].map((data) => ({ data })))));
    expect(packets.map((p) => p.inner.ipLength)).toEqual([20 + 8 + 8, 20 + 8 + 1000]);
  });

  it('skips frames captured too short to hold both headers', () => {
    const { bytes } = geneveFrame(56);
    const innerIpEnd = 14 + 20 + 8 + 8 + OVN_OPTION.length + 14 + 20;
    for (const len of [0, 13, 14 + 20 + 8 + 8 - 1, 14 + 20 + 8 + 8, innerIpEnd - 1]) {
      expect(genevePackets([frameOf(bytes.subarray(0, len), bytes.length)]), `${len} bytes`).toEqual([]);
    }
    expect(genevePackets([frameOf(bytes.subarray(0, innerIpEnd), bytes.length)])).toHaveLength(1);
  });

  it('skips, rather than throws on, a short frame whose outer IPv4 header has options', () => {
    const options = Array.from({ length: 20 }, () => 0x01);
    const { bytes } = geneveFrame(56, { outerOptions: options });
    for (let len = 14 + 20 + 8 + 8; len < 14 + 40 + 8 + 8 + OVN_OPTION.length + 14 + 20; len++) {
      expect(() => genevePackets([frameOf(bytes.subarray(0, len), bytes.length)]), `${len} bytes`).not.toThrow();
      expect(genevePackets([frameOf(bytes.subarray(0, len), bytes.length)]), `${len} bytes`).toEqual([]);
    }
  });
});

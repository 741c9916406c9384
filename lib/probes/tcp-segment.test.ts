import { describe, expect, it } from 'vitest';
import { internetChecksum, tcpSegment } from './tcp-segment.ts';

describe('tcpSegment', () => {
  // Both checked by tcpdump 4.99 (-vv) in an IPv4 frame: "cksum 0xb7ca (correct)", "cksum 0xe521 (correct)".
  it('builds the header byte for byte with the checksum tcpdump accepts', () => {
    const ack = tcpSegment({ srcIp: '10.20.2.12', dstIp: '10.20.1.11', srcPort: 5432, dstPort: 61000, seq: 0x9abcdef0, ack: 0x12345678, flags: ['ack'] });
    expect(ack.toString('hex')).toBe('1538ee489abcdef0123456785010faf0b7ca0000');
    const edges = tcpSegment({ srcIp: '192.168.255.254', dstIp: '10.0.0.1', srcPort: 65535, dstPort: 1, seq: 1, ack: 0xffffffff, flags: ['ack', 'psh', 'fin'], window: 0xffff });
    expect(edges.toString('hex')).toBe('ffff000100000001ffffffff5019ffffe5210000');
  });

  it('checks out to 0 with its pseudo-header, whatever the fields', () => {
    for (const [srcPort, seq] of [
      [1, 0],
      [80, 0xffffffff],
      [40000, 123456789],
    ] as const) {
      const seg = tcpSegment({ srcIp: '10.20.1.13', dstIp: '10.20.2.14', srcPort, dstPort: 22, seq, ack: seq, flags: ['syn'] });
      const pseudo = Buffer.from([10, 20, 1, 13, 10, 20, 2, 14, 0, 6, 0, 20]);
      expect(internetChecksum(Buffer.concat([pseudo, seg]))).toBe(0);
    }
  });

  it('refuses fields that do not fit, naming them', () => {
    const ok = { srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 1, dstPort: 2, seq: 0, ack: 0, flags: ['ack'] as const };
    expect(() => tcpSegment({ ...ok, srcPort: 65536 })).toThrow('TCP source port must be an integer from 0 to 65535 (got 65536)');
    expect(() => tcpSegment({ ...ok, seq: -1 })).toThrow('TCP sequence number');
    expect(() => tcpSegment({ ...ok, dstIp: '10.0.0.256' })).toThrow('not an IPv4 address: 10.0.0.256');
  });
});

describe('internetChecksum', () => {
  it('is RFC 1071’s example, and pads an odd length with a zero byte', () => {
    // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2, so the checksum is 220d.
    expect(internetChecksum(Buffer.from('0001f203f4f5f6f7', 'hex'))).toBe(0x220d);
    expect(internetChecksum(Buffer.from([0x01]))).toBe(internetChecksum(Buffer.from([0x01, 0x00])));
  });
});

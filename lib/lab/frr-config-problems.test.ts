// What FRR refused, read from its own output: vtysh applying frr.conf (captured from FRR 8.4.4
// on this machine) and a daemon reading its per-daemon file.
import { describe, expect, it } from 'vitest';
import { formatConfigProblem, parseDaemonLog, parseVtyshApply } from './frr-config-problems.ts';

const where = { node: 'leaf1', file: '/labs/dc/leaf1/frr.conf' };

const conf = [
  'router bgp 65009', //                                   1
  ' neighbor 10.9.9.77 bfd', //                            2
  ' neighbor 10.9.9.2 route-map NOPE in', //               3
  ' address-family ipv4 unicast', //                       4
  '  network 10.255.9.0/33', //                            5
  ' exit-address-family', //                               6
  'exit', //                                               7
  'ip route', //                                           8
  'interface eth9', //                                     9
  ' ip address 300.1.1.1/24', //                           10
  'exit', //                                               11
  'ip prefix-list X seq 5 permit 10.0.0.0/8 le 4', //      12
  '',
].join('\n');

// `vtysh -f` with stderr joined to stdout, as FRR 8.4.4 printed it for the file above.
const transaction = [
  '% Configuration failed.',
  '',
  'Error type: validation',
  'Error description: Invalid prefix range for 10.0.0.0/8: Make sure that mask length <= ge <= le',
  'The following commands were dynamically grouped into the same transaction and rejected:',
  '- ip prefix-list X seq 5 permit 10.0.0.0/8 le 4',
];
const output = [
  '% Specify remote-as or peer-group commands first',
  'line 2: Failure to communicate[13] to bgpd, line:  neighbor 10.9.9.77 bfd',
  '',
  "The route-map 'NOPE' does not exist.",
  'line 5: % Unknown command[28]:   network 10.255.9.0/33',
  'line 8: % Command incomplete[4]: ip route',
  '',
  'line 10: % Unknown command[17]:  ip address 300.1.1.1/24',
  ...transaction,
  ...transaction,
  ...transaction,
  '',
].join('\n');

describe('parseVtyshApply', () => {
  const problems = parseVtyshApply(output, conf, where);

  it('names each refused line with its statement and FRR’s message', () => {
    expect(problems).toEqual([
      { ...where, line: 2, statement: 'neighbor 10.9.9.77 bfd', daemon: 'bgpd', message: '% Specify remote-as or peer-group commands first' },
      { ...where, line: 5, statement: 'network 10.255.9.0/33', message: '% Unknown command' },
      { ...where, line: 8, statement: 'ip route', message: '% Command incomplete' },
      { ...where, line: 10, statement: 'ip address 300.1.1.1/24', message: '% Unknown command' },
      { ...where, line: 12, statement: 'ip prefix-list X seq 5 permit 10.0.0.0/8 le 4', message: 'Invalid prefix range for 10.0.0.0/8: Make sure that mask length <= ge <= le' },
    ]);
  });

  it('takes a warning on a line FRR accepted for no problem', () => {
    expect(problems.some((p) => p.line === 3)).toBe(false);
  });

  it('reports a transaction error once, however many daemons printed it', () => {
    expect(problems.filter((p) => p.line === 12)).toHaveLength(1);
  });

  it('finds nothing in a clean apply', () => {
    expect(parseVtyshApply('', conf, where)).toEqual([]);
  });

  it('names the daemon when it refused a line without saying why', () => {
    expect(parseVtyshApply('line 2: Failure to communicate[13] to bgpd, line:  neighbor 10.9.9.77 bfd\n', conf, where)).toEqual([
      { ...where, line: 2, statement: 'neighbor 10.9.9.77 bfd', daemon: 'bgpd', message: 'bgpd refused it' },
    ]);
  });
});

describe('parseDaemonLog', () => {
  it('reads the "on config line" errors a daemon logs while reading its own file', () => {
    const log = [
      '2026/11/29 18:02:11 STATIC: [T83RR-8SM5G] staticd 8.4.4 starting: vty@0',
      '2026/11/29 18:02:11 STATIC: [KMW1X-DH6XS][EC 100663304] No such command on config line 3: ip rout 10.0.0.0/8 blackhole',
      '2026/11/29 18:02:11 STATIC: [VTVCM-Y2NW3] Configuration Read in Took: 00:00:00',
    ].join('\n');
    const file = '/labs/dc/r1/staticd.conf';
    expect(parseDaemonLog(log, '!\n!\nip rout 10.0.0.0/8 blackhole\n', { node: 'r1', file, daemon: 'staticd' })).toEqual([
      { node: 'r1', file, daemon: 'staticd', line: 3, statement: 'ip rout 10.0.0.0/8 blackhole', message: 'No such command' },
    ]);
  });
});

describe('formatConfigProblem', () => {
  it('reads as node, file:line, statement, message and daemon', () => {
    expect(formatConfigProblem({ ...where, line: 2, statement: 'neighbor 10.9.9.77 bfd', daemon: 'bgpd', message: '% Specify remote-as or peer-group commands first' })).toBe(
      'leaf1: /labs/dc/leaf1/frr.conf:2: "neighbor 10.9.9.77 bfd": % Specify remote-as or peer-group commands first (bgpd)',
    );
  });
});

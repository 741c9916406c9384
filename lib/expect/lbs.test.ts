import { describe, expect, it } from 'vitest';
import type { LoadBalancer, Overlay, VmPort } from '../model/overlay.ts';
import { LB_ALPHA, LB_CONNECTIONS, lbClients, removalBudgetMs, removalBudgetText, returnBudgetMs } from '../plan/lb-plan.ts';
import { parseNbLoadBalancers, parseServiceMonitors, type NbLoadBalancer } from '../probes/ovn-lbs.ts';
import { lbDifferences, spreadProblems, tallySpread } from './lbs.ts';

const vm = (name: string, sw: string, ip: string): VmPort => ({ name, switch: sw, ip, prefixLength: 24, mac: '02:00:00:00:00:01', mtu: 1442, host: 'host1', hostIface: name, iface: 'eth1', groups: [] });
const LB: LoadBalancer = { name: 'web', vip: '172.24.4.50', port: 80, protocol: 'tcp', backends: ['vm1', 'vm3'], backendPort: 80, router: 'tenant', healthCheck: { intervalS: 1, timeoutS: 1, successCount: 1, failureCount: 2 }, noBackend: 'reject', exposed: true };
const OVERLAY = {
  file: '/labs/dc/dc.overlay.yml',
  providers: [{ name: 'public', subnet: '172.24.4.0/24', gateway: '172.24.4.1', node: 'ext' }],
  switches: [
    { name: 'web', subnet: '10.20.1.0/24', gateway: '10.20.1.1' },
    { name: 'db', subnet: '10.20.2.0/24', gateway: '10.20.2.1' },
  ],
  routers: [{ name: 'tenant', switches: ['web', 'db'], gateway: { network: 'public', ip: '172.24.4.10', prefixLength: 24, chassis: [{ node: 'host1', priority: 20 }], snat: [] } }],
  vms: [vm('vm1', 'web', '10.20.1.11'), vm('vm2', 'db', '10.20.2.12'), vm('vm3', 'web', '10.20.1.13'), vm('vm4', 'db', '10.20.2.14')],
  groups: [],
  loadBalancers: [LB],
} as Overlay;

describe('lbClients', () => {
  it('takes the first non-backend VM of every switch of the router, then the outside world for an exposed VIP', () => {
    expect(lbClients(OVERLAY, LB)).toEqual([
      { node: 'vm2', kind: 'tenant' },
      { node: 'ext', kind: 'outside' },
    ]);
    expect(lbClients(OVERLAY, { ...LB, exposed: false, backends: ['vm1'] })).toEqual([
      { node: 'vm3', kind: 'tenant' },
      { node: 'vm2', kind: 'tenant' },
    ]);
  });
});

describe('lbClients and the security groups', () => {
  it('skips a VM whose groups would refuse it, and the outside world when the backends do not admit it', () => {
    const isolated = {
      ...OVERLAY,
      vms: OVERLAY.vms.map((v) => ({ ...v, groups: [v.switch] })),
      groups: [
        { name: 'web', rules: [{ id: 'web#1', direction: 'ingress', protocol: 'any', remoteGroup: 'web' }, { id: 'web#2', direction: 'egress', protocol: 'any' }] },
        { name: 'db', rules: [{ id: 'db#1', direction: 'egress', protocol: 'any' }] },
      ],
    } as Overlay;
    // web admits only web: vm2 (db) and ext are refused; no web VM is left that is not a backend.
    expect(lbClients(isolated, LB)).toEqual([]);
    expect(lbClients(isolated, { ...LB, backends: ['vm1'] })).toEqual([{ node: 'vm3', kind: 'tenant' }]);
  });
});

describe('health-check budgets', () => {
  it('removal: failures × interval + timeout + OVN’s allowance; return: successes × interval + the allowance', () => {
    expect(removalBudgetMs(LB.healthCheck!)).toBe(4000);
    expect(returnBudgetMs(LB.healthCheck!)).toBe(2000);
    expect(removalBudgetText(LB.healthCheck!)).toBe('2 failures × 1 s interval + 1 s timeout + 1 s for OVN to apply it');
  });
});

describe('spread over backends', () => {
  const ok = (by: string) => ({ ok: true, detail: 'connected', seen: '10.20.2.12', by });

  it('passes an even split with no failures', () => {
    const s = tallySpread(LB, [...Array(32).fill(ok('vm1')), ...Array(32).fill(ok('vm3'))]);
    expect(s.counts).toEqual({ vm1: 32, vm3: 32 });
    expect(spreadProblems(OVERLAY, LB, 'vm2', s)).toEqual([]);
  });

  it('names a backend that answered nothing, failed connections and answers from a non-backend', () => {
    const s = tallySpread(LB, [...Array(60).fill(ok('vm1')), { ok: false, detail: 'connection refused' }, ok('vm2')]);
    expect(spreadProblems(OVERLAY, LB, 'ext', s)).toEqual([
      'web (172.24.4.50:80/tcp) from ext: 1 of 62 connections failed (connection refused)',
      'web (172.24.4.50:80/tcp) from ext: backend vm3 (10.20.1.13:80) answered none of 62 connections',
      'web (172.24.4.50:80/tcp) from ext: 1 connections answered by vm2, not a backend (vm1, vm3)',
    ]);
  });

  it('names a lopsided split by the chi-square test', () => {
    const s = tallySpread(LB, [...Array(58).fill(ok('vm1')), ...Array(6).fill(ok('vm3'))]);
    expect(spreadProblems(OVERLAY, LB, 'vm2', s)).toEqual([expect.stringMatching(/^web \(172\.24\.4\.50:80\/tcp\) from vm2: connections are not spread evenly \(vm1 58, vm3 6\): chi-square 42\.3 > 10\.8 \(1 dof/)]);
  });
});

describe("the suite's spread test (LB_CONNECTIONS at LB_ALPHA over two spreads)", () => {
  const ok = (by: string) => ({ ok: true, detail: 'connected', by });
  const split = (a: number) => tallySpread(LB, [...Array(a).fill(ok('vm1')), ...Array(LB_CONNECTIONS - a).fill(ok('vm3'))], LB_ALPHA / 2);

  it('fails a 70/30 split and passes the 46/18 proportions that failed healthy CI runs at 64 connections', () => {
    expect(LB_CONNECTIONS).toBe(256);
    expect(split(180).chiSquare?.pass).toBe(false);
    expect(split(184).chiSquare?.pass).toBe(false);
    // 46/18 at 64 connections was p = 6e-4; a healthy hash at 256 stays well inside the bounds.
    expect(split(148).chiSquare?.pass).toBe(true);
    expect(split(164).chiSquare?.pass).toBe(true);
    expect(split(166).chiSquare?.pass).toBe(false);
  });
});

describe('lbDifferences', () => {
  const healthy: NbLoadBalancer = {
    name: 'web',
    vips: { '172.24.4.50:80': '10.20.1.13:80,10.20.1.11:80' },
    protocol: 'tcp',
    options: { reject: 'true' },
    healthChecks: [{ vip: '172.24.4.50:80', options: { interval: '1', timeout: '1', success_count: '1', failure_count: '2' } }],
  };

  it('is empty when the northbound DB holds what the intent declares (backends in any order)', () => {
    expect(lbDifferences(OVERLAY, [healthy])).toEqual([]);
  });

  it('names a backend on a dead port, a removed health check, reject unset and an undeclared balancer', () => {
    const broken: NbLoadBalancer = { ...healthy, vips: { '172.24.4.50:80': '10.20.1.11:80,10.20.1.13:81' }, options: {}, healthChecks: [] };
    expect(lbDifferences(OVERLAY, [broken, { ...healthy, name: 'extra' }])).toEqual([
      'load balancer web: VIP 172.24.4.50:80 → 10.20.1.11:80,10.20.1.13:81, declared 10.20.1.11:80,10.20.1.13:80 (load-balancers.web)',
      'load balancer web: options:reject=unset, the intent declares no-backend: reject (load-balancers.web)',
      'load balancer web: no health check, declared every 1 s (load-balancers.web.health-check)',
      'load balancer extra: in the northbound DB, but the intent declares no such load balancer',
    ]);
  });

  it('names health-check options that differ', () => {
    const slow = { ...healthy, healthChecks: [{ vip: '172.24.4.50:80', options: { interval: '5', timeout: '1', success_count: '1', failure_count: '2' } }] };
    expect(lbDifferences(OVERLAY, [slow])).toEqual(['load balancer web: health check interval 5, declared 1 (load-balancers.web.health-check)']);
  });
});

describe('parsing ovn-nbctl/ovn-sbctl JSON', () => {
  it('reads VIPs, options and health checks, and service monitors', () => {
    const lbs = {
      headings: ['name', 'vips', 'protocol', 'options', 'health_check'],
      data: [['web', ['map', [['172.24.4.50:80', '10.20.1.11:80,10.20.1.13:80']]], 'tcp', ['map', [['reject', 'true']]], ['uuid', 'h1']]],
    };
    const checks = { headings: ['_uuid', 'vip', 'options'], data: [[['uuid', 'h1'], '172.24.4.50:80', ['map', [['interval', '1']]]]] };
    expect(parseNbLoadBalancers(lbs, checks)).toEqual([{ name: 'web', vips: { '172.24.4.50:80': '10.20.1.11:80,10.20.1.13:80' }, protocol: 'tcp', options: { reject: 'true' }, healthChecks: [{ vip: '172.24.4.50:80', options: { interval: '1' } }] }]);
    const monitors = { headings: ['ip', 'port', 'logical_port', 'status'], data: [['10.20.1.11', 80, 'vm1', 'online'], ['10.20.1.13', 80, 'vm3', ['set', []]]] };
    expect(parseServiceMonitors(monitors)).toEqual([
      { ip: '10.20.1.11', port: 80, logicalPort: 'vm1', status: 'online' },
      { ip: '10.20.1.13', port: 80, logicalPort: 'vm3' },
    ]);
  });
});

describe('parseTunnels', () => {
  it('reads each GENEVE tunnel’s remote IP, BFD configuration and state', async () => {
    const { parseTunnels, bfdUp } = await import('../probes/gateway.ts');
    const table = {
      headings: ['name', 'options', 'bfd', 'bfd_status'],
      data: [
        ['ovn-host1-0', ['map', [['csum', 'true'], ['key', 'flow'], ['remote_ip', '10.255.2.1']]], ['map', [['enable', 'true'], ['min_rx', '300']]], ['map', [['forwarding', 'true'], ['state', 'up']]]],
        ['ovn-host3-0', ['map', [['remote_ip', '"10.255.2.3"']]], ['map', []], ['map', []]],
      ],
    };
    const tunnels = parseTunnels(table);
    expect(tunnels).toEqual([
      { name: 'ovn-host1-0', remoteIp: '10.255.2.1', config: { enable: 'true', min_rx: '300' }, status: { forwarding: 'true', state: 'up' } },
      { name: 'ovn-host3-0', remoteIp: '10.255.2.3', config: {}, status: {} },
    ]);
    expect(tunnels.map(bfdUp)).toEqual([true, false]);
  });
});

import { describe, expect, it } from 'vitest';
import { planClos } from '../plan/clos.ts';
import { closExpectedRoutes, fibMissing, lastRouteChangeS, parseRoutesByNamespace, processCost, statCpuS, sumCosts, uptimeSeconds, type RibRead } from './scale-measure.ts';

const plan = planClos({ name: 'scale', spines: 2, leaves: 2, hosts: 2 });
const expected = closExpectedRoutes(plan);
const at = (router: string, owner: string) => expected.find((e) => e.at === router && e.owner === owner)!;

describe('closExpectedRoutes', () => {
  it('expects every router to reach every other loopback, with the widths of a Clos', () => {
    expect(expected).toHaveLength(6 * 5 - 2); // spines share an ASN: neither learns the other's loopback
    expect(at('leaf1', 'leaf2').width).toBe(2); // over both spines
    expect(at('host1', 'host2').width).toBe(2); // over both leaves
    expect(at('spine1', 'host1').width).toBe(2);
    expect(at('leaf1', 'host1').width).toBe(1);
  });
});

describe('the FIB check', () => {
  const ns = (n: string) => (n.startsWith('np.scale.') ? n.slice('np.scale.'.length) : undefined);
  const routes = (dsts: [string, number][]) => JSON.stringify(dsts.map(([dst, n]) => (n === 1 ? { dst, gateway: '10.1.0.1' } : { dst, nexthops: Array.from({ length: n }, () => ({})) })));

  it('reads routes by namespace, skipping namespaces that are not the lab’s', () => {
    const out = `\nnetns: np.scale.leaf1\n${routes([['10.255.1.2', 2]])}\n\nnetns: np.other.leaf1\n${routes([])}\n`;
    const fibs = parseRoutesByNamespace(out, ns);
    expect([...fibs.keys()]).toEqual(['leaf1']);
    expect(fibs.get('leaf1')).toEqual([{ dst: '10.255.1.2', nexthops: [{}, {}] }]);
  });

  it('names each route missing or narrower than expected, and each router not read', () => {
    const leaf1 = expected.filter((e) => e.at === 'leaf1');
    const fib = new Map([['leaf1', JSON.parse(routes(leaf1.map((e) => [e.prefix.replace('/32', ''), e.width]))) as never]]);
    expect(fibMissing(leaf1, fib)).toEqual([]);
    const narrow = new Map([['leaf1', JSON.parse(routes([['10.255.1.2', 1]])) as never]]);
    expect(fibMissing([at('leaf1', 'leaf2'), at('leaf1', 'host1')], narrow)).toEqual(['leaf1: 10.255.1.2/32 (leaf2) has 1 of 2 next hops', 'leaf1: 10.255.2.1/32 (host1) has 0 of 1 next hops']);
    expect(fibMissing([at('leaf2', 'leaf1')], narrow)).toEqual(['leaf2: no FIB read']);
  });
});

describe('when the routes last changed', () => {
  it('reads zebra uptimes as clocks, or in weeks, days, hours and minutes', () => {
    expect(uptimeSeconds('00:01:23')).toBe(83);
    expect(uptimeSeconds('2d03h04m')).toBe(2 * 86400 + 3 * 3600 + 4 * 60);
    expect(uptimeSeconds('01w2d03h')).toBe(604800 + 2 * 86400 + 3 * 3600);
    expect(() => uptimeSeconds('soon')).toThrow(/not a zebra uptime/);
  });

  it('is the latest moment any expected route changed, from each RIB read at its own time', () => {
    const e = [at('leaf1', 'leaf2'), at('leaf2', 'leaf1')];
    const ribs = new Map<string, RibRead>([
      ['leaf1', { readAtS: 100, json: { '10.255.1.2/32': [{ selected: true, uptime: '00:00:40' }] } }],
      ['leaf2', { readAtS: 103, json: { '10.255.1.1/32': [{ selected: false, uptime: '00:00:01' }, { selected: true, uptime: '00:00:30' }] } }],
    ]);
    expect(lastRouteChangeS(e, ribs)).toBe(73);
    ribs.set('leaf2', { readAtS: 103, json: {} });
    expect(() => lastRouteChangeS(e, ribs)).toThrow('leaf2: no selected route to 10.255.1.1/32 in its RIB');
  });
});

describe('process cost', () => {
  it('reads RSS, peak RSS, PSS and CPU seconds, with spaces in the command name', () => {
    const stat = '42 (bgpd x) S 1 42 42 0 -1 4194560 10 0 0 0 250 50 0 0 20 0 3 0 100';
    const c = processCost('Name:\tbgpd\nVmHWM:\t   20480 kB\nVmRSS:\t   16384 kB\n', 'Rss: 16384 kB\nPss:                8000 kB\n', stat);
    expect(c).toEqual({ rssKiB: 16384, peakRssKiB: 20480, pssKiB: 8000, cpuS: 3 });
    expect(sumCosts([c, c])).toEqual({ rssKiB: 32768, peakRssKiB: 40960, pssKiB: 16000, cpuS: 6 });
  });

  it("counts reaped children's CPU only when asked (the bench's own process and the tools it ran)", () => {
    const stat = '7 (node) S 1 7 7 0 -1 4194560 10 0 0 0 250 50 100 100 20 0 3 0 100';
    expect(statCpuS(stat)).toBe(3);
    expect(statCpuS(stat, { children: true })).toBe(5);
  });
});

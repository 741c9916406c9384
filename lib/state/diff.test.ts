import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.ts';
import { applyAccepted, diffSnapshots, parseAccepted, valueOf, type Difference } from './diff.ts';
import { emptySnapshot, type BfdState, type RouterState, type Snapshot } from './snapshot.ts';

const via = (...hops: string[]) => ({ protocol: 'bgp', nexthops: hops });
const bfd = (peer: string, ms = 300, status = 'up', mult = 3): BfdState => ({ peer, status, transmitIntervalMs: ms, receiveIntervalMs: ms, detectMultiplier: mult });

function router(parts: Partial<RouterState> = {}): RouterState {
  return { asn: 65101, sessions: {}, rib: {}, fib: {}, bfd: {}, multipathHash: 'l4', ...parts };
}

/** A leaf with two uplinks, BFD on both, and a remote TEP learnt over both. */
function leaf(): RouterState {
  const tep = via('eth1 → spine1', 'eth2 → spine2');
  return router({
    sessions: { spine1: { peer: 'spine1', iface: 'eth1', state: 'Established', prefixes: 4 }, spine2: { peer: 'spine2', iface: 'eth2', state: 'Established', prefixes: 4 } },
    rib: { '10.255.2.3/32': tep, '10.0.0.0/31': { protocol: 'connected', nexthops: ['eth1'] } },
    fib: { '10.255.2.3/32': tep, '10.0.0.0/31': { protocol: 'connected', nexthops: ['eth1'] } },
    bfd: { spine1: bfd('spine1'), spine2: bfd('spine2') },
  });
}

function lab(): Snapshot {
  return { ...emptySnapshot('dc'), routers: { leaf3: leaf() } };
}

/** A copy of the lab with one change. */
function changed(f: (s: Snapshot) => void): Snapshot {
  const s = structuredClone(lab());
  f(s);
  return s;
}

const brief = (ds: Difference[]) => ds.map((d) => `${d.kind} ${d.verdict}: ${d.message}`);

describe('diffSnapshots', () => {
  it('finds nothing between identical snapshots', () => {
    expect(diffSnapshots(lab(), lab())).toEqual([]);
  });

  it('names the router, the prefix and the neighbours of a lost TEP, once for RIB and FIB', () => {
    const after = changed((s) => {
      delete s.routers.leaf3!.rib['10.255.2.3/32'];
      delete s.routers.leaf3!.fib['10.255.2.3/32'];
    });
    expect(diffSnapshots(lab(), after)).toEqual([
      {
        kind: 'route',
        subject: 'leaf3 10.255.2.3/32',
        before: ['eth1 → spine1', 'eth2 → spine2'],
        after: null,
        verdict: 'regression',
        message: 'leaf3: 10.255.2.3/32 lost (was 2 next hops via spine1, spine2)',
      },
    ]);
  });

  it('reports a route the kernel lost but zebra kept under the FIB subject', () => {
    const after = changed((s) => delete s.routers.leaf3!.fib['10.255.2.3/32']);
    expect(diffSnapshots(lab(), after).map((d) => [d.subject, d.message])).toEqual([['leaf3 fib 10.255.2.3/32', 'leaf3: 10.255.2.3/32 in the kernel FIB lost (was 2 next hops via spine1, spine2)']]);
  });

  it('prints a connected next hop as is and reports an added route as neutral', () => {
    const after = changed((s) => {
      s.routers.leaf3!.rib['10.0.0.2/31'] = { protocol: 'connected', nexthops: ['eth2'] };
    });
    expect(brief(diffSnapshots(lab(), after))).toEqual(['route neutral: leaf3: 10.0.0.2/31 added (1 next hop via eth2)']);
  });

  it('reports a lost next hop as a regression and a gained one as an improvement', () => {
    const lost = changed((s) => {
      s.routers.leaf3!.rib['10.255.2.3/32']!.nexthops = ['eth1 → spine1'];
      s.routers.leaf3!.fib['10.255.2.3/32']!.nexthops = ['eth1 → spine1'];
    });
    expect(diffSnapshots(lab(), lost)).toEqual([
      {
        kind: 'nexthop',
        subject: 'leaf3 10.255.2.3/32',
        before: ['eth1 → spine1', 'eth2 → spine2'],
        after: ['eth1 → spine1'],
        verdict: 'regression',
        message: 'leaf3: 10.255.2.3/32 next hops 2 → 1 (lost eth2 → spine2)',
      },
    ]);
    expect(brief(diffSnapshots(lost, lab()))).toEqual(['nexthop improvement: leaf3: 10.255.2.3/32 next hops 1 → 2 (gained eth2 → spine2)']);
  });

  it('reports next hops reweighted (weighted ECMP) as neutral, with both sides’ weights, once for RIB and FIB', () => {
    const weighted = changed((s) => {
      for (const table of [s.routers.leaf3!.rib, s.routers.leaf3!.fib]) table['10.255.2.3/32']!.weights = { 'eth1 → spine1': 75, 'eth2 → spine2': 25 };
    });
    // Once for RIB and FIB, as for any route that changed alike in both.
    expect(brief(diffSnapshots(weighted, lab()))).toEqual(['nexthop neutral: leaf3: 10.255.2.3/32 next hops 2 → 2 (weights 75/25 → equal weights)']);
    expect(diffSnapshots(lab(), weighted)[0]?.after).toEqual(['eth1 → spine1 (weight 75)', 'eth2 → spine2 (weight 25)']);
  });

  it('reports a swapped next hop as neutral, with both sides', () => {
    const after = changed((s) => (s.routers.leaf3!.rib['10.255.2.3/32']!.nexthops = ['eth1 → spine1', 'eth3 → spine3']));
    expect(brief(diffSnapshots(lab(), after))).toEqual(['nexthop neutral: leaf3: 10.255.2.3/32 next hops 2 → 2 (lost eth2 → spine2, gained eth3 → spine3)']);
  });

  it('reports a route that is no longer from BGP as a regression, other protocol changes as neutral', () => {
    const after = changed((s) => {
      s.routers.leaf3!.rib['10.255.2.3/32']!.protocol = 'static';
      s.routers.leaf3!.rib['10.0.0.0/31']!.protocol = 'kernel';
    });
    const ds = diffSnapshots(lab(), after);
    expect(brief(ds)).toEqual(['route neutral: leaf3: 10.0.0.0/31 now kernel (was connected)', 'route regression: leaf3: 10.255.2.3/32 now static (was bgp)']);
    expect([ds[1]!.before, ds[1]!.after]).toEqual(['bgp', 'static']);
  });

  it('reports a vanished router once, and a new one as neutral', () => {
    const after = { ...emptySnapshot('dc'), routers: { leaf4: leaf() } };
    expect(diffSnapshots(lab(), after)).toEqual([
      { kind: 'session', subject: 'leaf3', before: ['spine1', 'spine2'], after: null, verdict: 'regression', message: 'leaf3: gone (it had 2 sessions)' },
      { kind: 'session', subject: 'leaf4', before: null, after: ['spine1', 'spine2'], verdict: 'neutral', message: 'leaf4: new router' },
    ]);
  });

  it('reports sessions going down, coming up, vanishing and appearing, but not prefix counts', () => {
    const down = changed((s) => {
      s.routers.leaf3!.sessions.spine1!.state = 'Idle';
      s.routers.leaf3!.sessions.spine2!.prefixes = 1;
    });
    expect(diffSnapshots(lab(), down)).toEqual([{ kind: 'session', subject: 'leaf3 → spine1', before: 'Established', after: 'Idle', verdict: 'regression', message: 'leaf3 → spine1: Established → Idle' }]);
    expect(brief(diffSnapshots(down, lab()))).toEqual(['session improvement: leaf3 → spine1: Idle → Established']);

    const gone = changed((s) => delete s.routers.leaf3!.sessions.spine2);
    expect(brief(diffSnapshots(lab(), gone))).toEqual(['session regression: leaf3 → spine2: session gone (was Established)']);
    expect(brief(diffSnapshots(gone, lab()))).toEqual(['session neutral: leaf3 → spine2: new session (Established)']);

    const active = changed((s) => (s.routers.leaf3!.sessions.spine1!.state = 'Active'));
    expect(brief(diffSnapshots(down, active))).toEqual(['session neutral: leaf3 → spine1: Idle → Active']);
  });

  it('reports a removed BFD session as a regression', () => {
    const after = changed((s) => delete s.routers.leaf3!.bfd.spine2);
    expect(diffSnapshots(lab(), after)).toEqual([{ kind: 'bfd', subject: 'leaf3 → spine2', before: 'up 3×300/300 ms', after: null, verdict: 'regression', message: 'leaf3 → spine2: BFD session gone' }]);
    expect(brief(diffSnapshots(after, lab()))).toEqual(['bfd neutral: leaf3 → spine2: new BFD session (up 3×300/300 ms)']);
  });

  it('reports slower BFD timers as a regression with the detection times, faster as an improvement', () => {
    const slow = changed((s) => (s.routers.leaf3!.bfd.spine1 = bfd('spine1', 1000)));
    expect(diffSnapshots(lab(), slow)).toEqual([
      { kind: 'bfd', subject: 'leaf3 → spine1', before: 'up 3×300/300 ms', after: 'up 3×1000/1000 ms', verdict: 'regression', message: 'leaf3 → spine1: BFD 3 × 300 ms → 3 × 1000 ms (detection 900 → 3000 ms)' },
    ]);
    expect(brief(diffSnapshots(slow, lab()))).toEqual(['bfd improvement: leaf3 → spine1: BFD 3 × 1000 ms → 3 × 300 ms (detection 3000 → 900 ms)']);
    // The slower of the two intervals decides.
    const asym = changed((s) => (s.routers.leaf3!.bfd.spine1 = { ...bfd('spine1'), receiveIntervalMs: 500 }));
    expect(brief(diffSnapshots(lab(), asym))).toEqual(['bfd regression: leaf3 → spine1: BFD 3 × 300 ms → 3 × 300/500 ms (detection 900 → 1500 ms)']);
  });

  it('reports a BFD session going down as a regression even with faster timers', () => {
    const after = changed((s) => (s.routers.leaf3!.bfd.spine1 = bfd('spine1', 100, 'down')));
    expect(brief(diffSnapshots(lab(), after))).toEqual(['bfd regression: leaf3 → spine1: BFD up → down, 3 × 300 ms → 3 × 100 ms (detection 900 → 300 ms)']);
    const back = changed((s) => (s.routers.leaf3!.bfd.spine1 = bfd('spine1', 300, 'down')));
    expect(brief(diffSnapshots(back, lab()))).toEqual(['bfd improvement: leaf3 → spine1: BFD down → up']);
  });

  it('reports an ASN change as neutral and the hash leaving l4 as a regression', () => {
    const after = changed((s) => {
      s.routers.leaf3!.asn = 65102;
      s.routers.leaf3!.multipathHash = 'l3';
    });
    expect(diffSnapshots(lab(), after)).toEqual([
      { kind: 'asn', subject: 'leaf3', before: 65101, after: 65102, verdict: 'neutral', message: 'leaf3: ASN 65101 → 65102' },
      { kind: 'hash', subject: 'leaf3', before: 'l4', after: 'l3', verdict: 'regression', message: 'leaf3: multipath hash l4 → l3' },
    ]);
    expect(brief(diffSnapshots(after, lab())).filter((l) => l.startsWith('hash'))).toEqual(['hash improvement: leaf3: multipath hash l3 → l4']);
  });

  it('reports the IPv6 hash leaving l4 as a regression of its own, and nothing where neither snapshot read it', () => {
    const before = changed((s) => (s.routers.leaf3!.multipathHash6 = 'l4'));
    const after = changed((s) => (s.routers.leaf3!.multipathHash6 = 'l3'));
    expect(diffSnapshots(before, after)).toEqual([{ kind: 'hash6', subject: 'leaf3', before: 'l4', after: 'l3', verdict: 'regression', message: 'leaf3: IPv6 multipath hash l4 → l3' }]);
    expect(diffSnapshots(lab(), lab())).toEqual([]);
  });

  it('reports MTU changes as neutral', () => {
    const before = { ...lab(), mtu: { 'leaf3:eth1': 9000, 'leaf3:eth2': 9000 } };
    const after = { ...lab(), mtu: { 'leaf3:eth1': 1500, 'leaf3:eth3': 9000 } };
    expect(brief(diffSnapshots(before, after))).toEqual(['mtu neutral: leaf3:eth1: MTU 9000 → 1500', 'mtu neutral: leaf3:eth2: MTU 9000 → absent', 'mtu neutral: leaf3:eth3: MTU absent → 9000']);
  });

  it('reports lost reachability as a regression, regained as an improvement, pairs probed on one side only as neutral', () => {
    const before: Snapshot = { ...lab(), reachability: { 'vm1 → vm2': 'reply', 'vm1 → vm3': 'reply', 'vm2 → vm1': 'no reply' } };
    const after: Snapshot = { ...lab(), reachability: { 'vm1 → vm2': 'no reply', 'vm2 → vm1': 'reply', 'vm3 → vm1': 'reply' } };
    expect(brief(diffSnapshots(before, after))).toEqual([
      'reachability regression: vm1 → vm2: reply → no reply',
      'reachability neutral: vm1 → vm3: reply → not probed',
      'reachability improvement: vm2 → vm1: no reply → reply',
      'reachability neutral: vm3 → vm1: not probed → reply',
    ]);
  });

  it('reports every ACL change as a regression, allow → deny and deny → allow alike; a cell probed on one side only as neutral', () => {
    const before: Snapshot = { ...lab(), acl: { 'vm1 → vm2 tcp/5432': 'allow', 'vm1 → vm2 tcp/22': 'deny', 'vm1 → vm2 tcp/80': 'allow' } };
    const after: Snapshot = { ...lab(), acl: { 'vm1 → vm2 tcp/5432': 'deny', 'vm1 → vm2 tcp/22': 'allow', 'vm1 → vm2 tcp/443': 'deny' } };
    expect(diffSnapshots(before, after)).toEqual([
      { kind: 'acl', subject: 'vm1 → vm2 tcp/22', before: 'deny', after: 'allow', verdict: 'regression', message: 'vm1 → vm2 tcp/22: deny → allow' },
      { kind: 'acl', subject: 'vm1 → vm2 tcp/80', before: 'allow', after: null, verdict: 'neutral', message: 'vm1 → vm2 tcp/80: allow → not probed' },
      { kind: 'acl', subject: 'vm1 → vm2 tcp/443', before: null, after: 'deny', verdict: 'neutral', message: 'vm1 → vm2 tcp/443: not probed → deny' },
      { kind: 'acl', subject: 'vm1 → vm2 tcp/5432', before: 'allow', after: 'deny', verdict: 'regression', message: 'vm1 → vm2 tcp/5432: allow → deny' },
    ]);
  });

  it('compares a route BGP installs one of several equal-cost paths for by its candidates and how many it uses, not by its arbitrary pick', () => {
    const withUses = (uses: number, hops = ['br-phy → leaf1', 'br-phy → leaf2']): Snapshot => {
      const s = lab();
      s.routers.leaf3!.rib['10.255.0.1/32'] = { protocol: 'bgp', nexthops: hops, uses };
      return s;
    };
    expect(diffSnapshots(withUses(1), withUses(1))).toEqual([]);
    expect(diffSnapshots(withUses(2), withUses(1))).toEqual([
      {
        kind: 'nexthop',
        subject: 'leaf3 10.255.0.1/32',
        before: ['br-phy → leaf1', 'br-phy → leaf2', '(2 used)'],
        after: ['br-phy → leaf1', 'br-phy → leaf2', '(1 used)'],
        verdict: 'regression',
        message: 'leaf3: 10.255.0.1/32 next hops 2 → 1 (2 of 2 used → 1 of 2 used)',
      },
    ]);
    const gone = lab();
    delete gone.routers.leaf3!.rib['10.255.0.1/32'];
    expect(brief(diffSnapshots(withUses(1), gone))).toEqual(['route regression: leaf3: 10.255.0.1/32 lost (was 1 next hop of 2 via leaf1, leaf2)']);
  });

  it('reports a smaller largest packet as a regression and a larger one as an improvement', () => {
    const before: Snapshot = { ...lab(), largestPacket: { 'host1 → host2': 1442, 'host2 → host1': 1400 } };
    const after: Snapshot = { ...lab(), largestPacket: { 'host1 → host2': 1400, 'host2 → host1': 1442 } };
    expect(brief(diffSnapshots(before, after))).toEqual(['packet-size regression: host1 → host2: largest DF packet 1442 → 1400 B', 'packet-size improvement: host2 → host1: largest DF packet 1400 → 1442 B']);
  });

  describe('figures', () => {
    const fig = (figures: Snapshot['figures']): Snapshot => ({ ...lab(), figures });

    it('ignores moves within the tolerance and reports those beyond it', () => {
      const before = fig({ 'loss_window_ms.grey': { value: 870, unit: 'ms' }, 'loss_window_ms.carrier': { value: 870, unit: 'ms' } });
      const after = fig({ 'loss_window_ms.grey': { value: 6100, unit: 'ms' }, 'loss_window_ms.carrier': { value: 1300, unit: 'ms' } });
      expect(diffSnapshots(before, after)).toEqual([{ kind: 'figure', subject: 'loss_window_ms.grey', before: 870, after: 6100, verdict: 'regression', message: 'loss_window_ms.grey: 870 → 6100 ms' }]);
      expect(brief(diffSnapshots(after, before))).toEqual(['figure improvement: loss_window_ms.grey: 6100 → 870 ms']);
      // The same move counts under a tighter tolerance.
      expect(diffSnapshots(before, after, { relative: 0.2 }).map((d) => d.subject)).toEqual(['loss_window_ms.carrier', 'loss_window_ms.grey']);
    });

    it('ignores a small figure moving by less than the noise floor, whatever the relative move', () => {
      const before = fig({ 'convergence_ms.bgp': { value: 20, unit: 'ms' }, 'boot.s': { value: 0.2, unit: 's' } });
      expect(diffSnapshots(before, fig({ 'convergence_ms.bgp': { value: 70, unit: 'ms' }, 'boot.s': { value: 0.7, unit: 's' } }))).toEqual([]);
      expect(diffSnapshots(before, fig({ 'convergence_ms.bgp': { value: 220, unit: 'ms' }, 'boot.s': { value: 2.2, unit: 's' } }))).toEqual([]);
      expect(brief(diffSnapshots(before, fig({ 'convergence_ms.bgp': { value: 221, unit: 'ms' }, 'boot.s': { value: 2.3, unit: 's' } })))).toEqual([
        'figure regression: boot.s: 0.2 → 2.3 s',
        'figure regression: convergence_ms.bgp: 20 → 221 ms',
      ]);
    });

    it('knows which counts are better higher, and leaves other figures neutral', () => {
      const before = fig({ 'ecmp.paths_used': { value: 4, unit: '' }, 'flows': { value: 100, unit: 'flows' }, 'x': { value: 1, unit: 'ms' }, 'only_before': { value: 1, unit: '' } });
      const after = fig({ 'ecmp.paths_used': { value: 1, unit: '' }, 'flows': { value: 300, unit: 'flows' }, 'x': { value: 1, unit: 's' }, 'only_after': { value: 1, unit: '' } });
      expect(brief(diffSnapshots(before, after))).toEqual(['figure regression: ecmp.paths_used: 4 → 1', 'figure neutral: flows: 100 → 300 flows', 'figure neutral: x: 1 ms → 1 s']);
    });
  });

  it('reports checks that broke and were fixed, not those added or removed', () => {
    const before: Snapshot = { ...lab(), checks: { 'bgp > sessions': 'passed', 'bfd > timers': 'failed', 'ecmp > spread': 'passed', 'old': 'passed' } };
    const after: Snapshot = { ...lab(), checks: { 'bgp > sessions': 'failed', 'bfd > timers': 'passed', 'ecmp > spread': 'skipped', 'new': 'failed' } };
    expect(brief(diffSnapshots(before, after))).toEqual(['check improvement: bfd > timers: failed → passed', 'check regression: bgp > sessions: passed → failed', 'check neutral: ecmp > spread: passed → skipped']);
  });

  it('orders by kind, then by subject with numbers in order', () => {
    const before: Snapshot = { ...lab(), checks: { t: 'passed' }, acl: { 'vm10 → vm1 icmp': 'allow', 'vm2 → vm1 icmp': 'allow' } };
    const after = changed((s) => {
      s.routers.leaf3!.sessions.spine1!.state = 'Idle';
      s.checks = { t: 'failed' };
      s.acl = { 'vm10 → vm1 icmp': 'deny', 'vm2 → vm1 icmp': 'deny' };
    });
    expect(diffSnapshots(before, after).map((d) => `${d.kind} ${d.subject}`)).toEqual(['session leaf3 → spine1', 'acl vm2 → vm1 icmp', 'acl vm10 → vm1 icmp', 'check t']);
  });
});

describe('applyAccepted', () => {
  const before: Snapshot = { ...lab(), acl: { 'vm1 → vm2 tcp/22': 'deny', 'vm1 → vm2 tcp/5432': 'allow' } };
  const after: Snapshot = { ...lab(), acl: { 'vm1 → vm2 tcp/22': 'deny', 'vm1 → vm2 tcp/5432': 'deny' } };
  const diffs = diffSnapshots(before, after);

  it('marks a difference intended by kind and subject alone, without changing the input', () => {
    const r = applyAccepted(diffs, [{ kind: 'acl', subject: 'vm1 → vm2 tcp/5432' }], after);
    expect(r.differences).toEqual([{ ...diffs[0], intended: true }]);
    expect(r.unmet).toEqual([]);
    expect(diffs[0]!.intended).toBeUndefined();
  });

  it('does not require a copied neutral or improvement entry to recur, but does a regression or a hand-written one', () => {
    const r = applyAccepted(
      [],
      [
        { kind: 'figure', subject: 'bgp_convergence_s', before: 2, after: 9, verdict: 'regression' },
        { kind: 'figure', subject: 'loss_window_ms.grey', verdict: 'improvement' },
        { kind: 'nexthop', subject: 'host1 10.255.0.1/32', verdict: 'neutral' },
        { kind: 'acl', subject: 'vm1 → vm2 tcp/22' },
      ],
      after,
    );
    expect(r.unmet.map((u) => u.accepted.subject)).toEqual(['bgp_convergence_s', 'vm1 → vm2 tcp/22']);
  });

  it('matches before and after when given', () => {
    expect(applyAccepted(diffs, [{ kind: 'acl', subject: 'vm1 → vm2 tcp/5432', before: 'allow', after: 'deny' }], after).differences[0]!.intended).toBe(true);
    const wrong = applyAccepted(diffs, [{ kind: 'acl', subject: 'vm1 → vm2 tcp/5432', before: 'allow', after: null }], after);
    expect(wrong.differences[0]!.intended).toBeUndefined();
    expect(wrong.unmet.map((u) => u.message)).toEqual(['expected vm1 → vm2 tcp/5432 allow → absent, but it changed allow → deny']);
  });

  it('compares lists as sorted lists', () => {
    const a = changed((s) => (s.routers.leaf3!.rib['10.255.2.3/32']!.nexthops = ['eth1 → spine1']));
    const r = applyAccepted(diffSnapshots(lab(), a), [{ kind: 'nexthop', subject: 'leaf3 10.255.2.3/32', before: ['eth2 → spine2', 'eth1 → spine1'], after: ['eth1 → spine1'] }], a);
    expect(r.differences.map((d) => d.intended)).toEqual([true]);
  });

  it('says what an intended change that did not happen stayed', () => {
    const r = applyAccepted(diffs, [{ kind: 'acl', subject: 'vm1 → vm2 tcp/22', before: 'deny', after: 'allow' }], after);
    expect(r.differences.map((d) => d.intended)).toEqual([undefined]);
    expect(r.unmet).toEqual([{ accepted: { kind: 'acl', subject: 'vm1 → vm2 tcp/22', before: 'deny', after: 'allow' }, message: 'expected vm1 → vm2 tcp/22 deny → allow, but it stayed deny' }]);
  });

  it('says there was no change when the entry gives no values, and absent for what is not there', () => {
    const r = applyAccepted(
      [],
      [
        { kind: 'figure', subject: 'loss_window_ms.grey' },
        { kind: 'route', subject: 'leaf3 10.9.9.9/32', before: null, after: ['eth1 → spine1'] },
        { kind: 'route', subject: 'leaf3 fib 10.255.2.3/32', after: null },
      ],
      lab(),
    );
    expect(r.unmet.map((u) => u.message)).toEqual([
      'expected a change of loss_window_ms.grey (figure), but there was none',
      'expected leaf3 10.9.9.9/32 absent → [eth1 → spine1], but it stayed absent',
      'expected leaf3 fib 10.255.2.3/32 to become absent, but it stayed [eth1 → spine1, eth2 → spine2]',
    ]);
  });
});

describe('valueOf', () => {
  const s: Snapshot = { ...lab(), mtu: { 'leaf3:eth1': 9000 }, figures: { f: { value: 3, unit: 'ms' } }, largestPacket: { 'h1 → h2': 1400 } };

  it('reads each kind by its subject', () => {
    expect(valueOf(s, 'session', 'leaf3')).toEqual(['spine1', 'spine2']);
    expect(valueOf(s, 'session', 'leaf3 → spine1')).toBe('Established');
    expect(valueOf(s, 'route', 'leaf3 10.0.0.0/31')).toEqual(['eth1']);
    expect(valueOf(s, 'nexthop', 'leaf3 fib 10.255.2.3/32')).toEqual(['eth1 → spine1', 'eth2 → spine2']);
    expect(valueOf(s, 'bfd', 'leaf3 → spine2')).toBe('up 3×300/300 ms');
    expect(valueOf(s, 'asn', 'leaf3')).toBe(65101);
    expect(valueOf(s, 'hash', 'leaf3')).toBe('l4');
    expect(valueOf(s, 'mtu', 'leaf3:eth1')).toBe(9000);
    expect(valueOf(s, 'packet-size', 'h1 → h2')).toBe(1400);
    expect(valueOf(s, 'figure', 'f')).toBe(3);
  });

  it('gives null for what is not there', () => {
    expect(valueOf(s, 'session', 'leaf9')).toBeNull();
    expect(valueOf(s, 'bfd', 'leaf3 → spine9')).toBeNull();
    expect(valueOf(s, 'route', 'leaf3')).toBeNull();
    expect(valueOf(s, 'acl', 'vm1 → vm2 icmp')).toBeNull();
    expect(valueOf(s, 'check', 'x')).toBeNull();
  });
});

describe('parseAccepted', () => {
  it('takes the differences of a whole diff.json, keeping only what is matched', () => {
    const json = { verdict: 'fail', differences: [{ kind: 'acl', subject: 'vm1 → vm2 tcp/5432', before: 'allow', after: 'deny', verdict: 'regression', message: 'm' }] };
    expect(parseAccepted(json, 'diff.json')).toEqual([{ kind: 'acl', subject: 'vm1 → vm2 tcp/5432', before: 'allow', after: 'deny', verdict: 'regression' }]);
  });

  it('takes a bare array of entries', () => {
    expect(parseAccepted([{ kind: 'route', subject: 'leaf3 10.255.2.3/32', after: null }, { kind: 'figure', subject: 'f' }], 'accept.json')).toEqual([
      { kind: 'route', subject: 'leaf3 10.255.2.3/32', after: null },
      { kind: 'figure', subject: 'f' },
    ]);
  });

  it('reports every malformed entry at once', () => {
    const json = { differences: [{ kind: 'acl', subject: 'ok' }, { subject: 'x' }, { kind: 'routes', subject: 'y' }, { kind: 'acl' }, 'acl', { kind: 'mtu', subject: 'z', after: { v: 1 } }] };
    let error: unknown;
    try {
      parseAccepted(json, '/tmp/accept.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    const problems = (error as InvalidInputError).problems;
    expect(problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.field}: ${p.message}`)).toEqual([
      '/tmp/accept.json:1:1 differences[1].kind: is missing',
      '/tmp/accept.json:1:1 differences[2].kind: is "routes", not a kind of difference',
      '/tmp/accept.json:1:1 differences[3].subject: is missing',
      '/tmp/accept.json:1:1 differences[4]: is not an object',
      '/tmp/accept.json:1:1 differences[5].after: is {"v":1}, not a value',
    ]);
    expect(problems[1]!.fix).toBe('use one of session, route, nexthop, bfd, asn, hash, hash6, mtu, reachability, acl, packet-size, figure, check');
  });

  it('names fields of a bare array by index, and rejects other shapes', () => {
    expect(() => parseAccepted([{ kind: 'acl' }], 'a.json')).toThrow('a.json:1:1: [0].subject: is missing');
    expect(() => parseAccepted({ nope: [] }, 'a.json')).toThrow('a.json:1:1: (file): is neither a diff.json');
  });
});

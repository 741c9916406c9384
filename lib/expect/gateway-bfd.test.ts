import { describe, expect, it } from 'vitest';
import { parseBfdShow, type TunnelBfdState } from '../probes/gateway.ts';
import { tunnelBfdProblem } from './gateway-bfd.ts';

const declared = { intervalMs: 300, multiplier: 3 };
const tunnel = (o: Partial<TunnelBfdState> = {}): TunnelBfdState => ({
  name: 'ovn-host1-0',
  remoteIp: '10.255.2.1',
  config: { enable: 'true', min_rx: '300', min_tx: '300', mult: '3' },
  status: { state: 'up', forwarding: 'true', remote_state: 'up' },
  ...o,
});
const check = { from: 'host3', to: 'host1', toTep: '10.255.2.1', declared };

/** `ovs-appctl bfd/show ovn-host1-0` on OVS 3.1, trimmed to what matters and what could be mistaken for it. */
const show = (rx: number, remoteTx: number, state = 'up') => `---- ovn-host1-0 ----
  Forwarding: true
  Detect Multiplier: 3
  TX Interval: Approx ${rx}ms
  RX Interval: Approx ${rx}ms
  Detect Time: now +767ms

  Local Flags: none
  Local Session State: ${state}
  Local Minimum TX Interval: 300ms
  Local Minimum RX Interval: 300ms

  Remote Session State: up
  Remote Minimum TX Interval: ${remoteTx}ms
  Remote Minimum RX Interval: 300ms
  Remote Detect Multiplier: 3
`;

describe('parseBfdShow', () => {
  it('reads the negotiated intervals, not the configured minimums', () => {
    expect(parseBfdShow(show(1000, 1000))).toEqual({ state: 'up', rxIntervalMs: 1000, txIntervalMs: 1000, remoteMultiplier: 3 });
    expect(parseBfdShow('')).toEqual({ state: undefined, rxIntervalMs: undefined, txIntervalMs: undefined, remoteMultiplier: undefined });
  });
});

describe('tunnelBfdProblem', () => {
  it('passes a session up and running at the declared timers', () => {
    expect(tunnelBfdProblem({ ...check, tunnel: tunnel() })).toBeUndefined();
    expect(tunnelBfdProblem({ ...check, tunnel: tunnel(), session: parseBfdShow(show(300, 300)) })).toBeUndefined();
  });

  it('names a session that is up but still at the start-up rate, with the detection time it would take', () => {
    expect(tunnelBfdProblem({ ...check, tunnel: tunnel(), session: parseBfdShow(show(1000, 1000)) })).toBe(
      'host3 → host1 (ovn-host1-0): BFD up but not yet at its configured rate: would notice host1 fail after 3 × 1000 ms, tunnel-bfd declares 3 × 300 ms (ovs-appctl bfd/show: state up, RX interval 1000 ms)',
    );
  });

  it('names a missing tunnel, BFD off, down, and other timers, before the running rate', () => {
    const slow = parseBfdShow(show(1000, 1000));
    expect(tunnelBfdProblem({ ...check, session: slow })).toBe('host3 has no GENEVE tunnel to host1 (10.255.2.1)');
    expect(tunnelBfdProblem({ ...check, tunnel: tunnel({ config: {} }), session: slow })).toBe('host3 → host1 (ovn-host1-0): no BFD on the tunnel (bfd {}): a failure of host1 would never move the gateway');
    expect(tunnelBfdProblem({ ...check, tunnel: tunnel({ status: { state: 'init', forwarding: 'false' } }), session: slow })).toBe('host3 → host1 (ovn-host1-0): BFD init ({"state":"init","forwarding":"false"})');
    expect(tunnelBfdProblem({ ...check, tunnel: tunnel({ config: { enable: 'true', min_rx: '1000', min_tx: '1000', mult: '3' } }), session: slow })).toBe(
      'host3 → host1 (ovn-host1-0): BFD min_rx 1000, min_tx 1000, mult 3; tunnel-bfd declares 3 × 300 ms',
    );
  });
});

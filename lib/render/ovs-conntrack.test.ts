import { describe, expect, test } from 'vitest';
import { ctZeroSnatNote, ctZeroSnatOffArgvs, hasUnNatAssertion, parseDatapathRows, parseOvsVersion } from './ovs-conntrack.ts';

describe('the userspace conntrack crash on NAT reverse entries', () => {
  test('reads the version ovs-vswitchd --version prints', () => {
    expect(parseOvsVersion('ovs-vswitchd (Open vSwitch) 3.1.0\n')).toBe('3.1.0');
    expect(parseOvsVersion('ovs-vswitchd (Open vSwitch) 3.3.10\nDPDK 22.11.1\n')).toBe('3.3.10');
    expect(parseOvsVersion('something else')).toBeUndefined();
  });

  test.each([
    ['3.1.0', true], // Debian 12
    ['3.1.2', true],
    ['3.1.3', false],
    ['3.0.4', true],
    ['3.0.5', false],
    ['2.17.7', true],
    ['2.17.8', false],
    ['2.13.0', true],
    ['3.2.2', true],
    ['3.2.3', false],
    ['3.3.0', false],
    ['3.6.1', false],
    ['4.0.0', false],
  ])('OVS %s has it: %s', (version, affected) => {
    expect(hasUnNatAssertion(version)).toBe(affected);
  });

  test('turns ct_zero_snat off in the datapath, then has ovs-vswitchd write it to the database', () => {
    const [appctl, vsctl] = ctZeroSnatOffArgvs('/run/netproof/dc/host1/ovs-vswitchd.ctl', []);
    expect(appctl).toEqual(['ovs-appctl', '-t', '/run/netproof/dc/host1/ovs-vswitchd.ctl', 'dpif/set-dp-features', 'br-int', 'ct_zero_snat', 'false']);
    // Without --no-wait: ovs-vsctl returns once ovs-vswitchd has reconfigured.
    expect(vsctl).not.toContain('--no-wait');
    expect(vsctl).toEqual(['ovs-vsctl', '--timeout=30', 'set', 'open_vswitch', '.', 'external_ids:netproof-ct-zero-snat=off-ovs-6753b108']);
  });

  test('after a restart, writes the capability into every Datapath row, which ovs-vswitchd filled when it met them', () => {
    const rows = parseDatapathRows('6f2a1c3e-0b4d-4e5f-8a9b-0c1d2e3f4a5b\n\nnot-a-uuid\n');
    expect(rows).toEqual(['6f2a1c3e-0b4d-4e5f-8a9b-0c1d2e3f4a5b']);
    const [, vsctl] = ctZeroSnatOffArgvs('/run/x/ovs-vswitchd.ctl', rows);
    expect(vsctl!.slice(6)).toEqual(['--', 'set', 'Datapath', '6f2a1c3e-0b4d-4e5f-8a9b-0c1d2e3f4a5b', 'capabilities:ct_zero_snat=false']);
  });

  test('the note names the version, the chassis and the fix', () => {
    expect(ctZeroSnatNote('3.1.0', ['host1', 'host2'])).toMatch(/^OVS 3\.1\.0 on host1, host2: ct_zero_snat reported off.*6753b108.*3\.1\.3/);
  });
});

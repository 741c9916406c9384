// The VM ports OVN's northbound DB holds, against those the overlay declares: names every VM
// whose logical switch port is missing, sits on another switch, was disabled, or carries other
// addresses or port security than its MAC and IP. The overlay suites say this beside a VM pair
// that gets no reply, so the report names the object to fix, e.g. `logical switch port vm2 on
// switch db: addresses "02:00:00:00:99:99 10.20.2.12", declared "02:00:0a:14:02:0c 10.20.2.12"`. Pure.
import type { VmPort } from '../model/overlay.ts';
import type { NbSwitchPort } from '../probes/ovn-ports.ts';
import { vmPortAddress } from '../render/ovn.ts';

const quoted = (values: readonly string[]) => (values.length ? values.map((v) => `"${v}"`).join(', ') : '(none)');
function same(a: readonly string[], b: readonly string[]): boolean {
  const [x, y] = [[...a].sort(), [...b].sort()];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** One line per VM of `vms` whose logical switch port differs from the declaration; empty when each is as declared. */
export function switchPortDifferences(vms: readonly VmPort[], listed: readonly NbSwitchPort[]): string[] {
  const lines: string[] = [];
  for (const vm of vms) {
    const declared = [vmPortAddress(vm)];
    const found = listed.filter((p) => p.name === vm.name);
    if (!found.length) lines.push(`logical switch port ${vm.name}: declared on switch ${vm.switch} with addresses ${quoted(declared)}, but missing from the northbound DB`);
    for (const p of found) {
      const diffs = [
        ...(p.logicalSwitch !== vm.switch ? [`on ${p.logicalSwitch === undefined ? 'no switch' : `switch ${p.logicalSwitch}`}, declared on switch ${vm.switch}`] : []),
        ...(p.enabled === false ? ['disabled (enabled=false), declared enabled'] : []),
        ...(!same(p.addresses, declared) ? [`addresses ${quoted(p.addresses)}, declared ${quoted(declared)}`] : []),
        ...(!same(p.portSecurity, declared) ? [`port_security ${quoted(p.portSecurity)}, declared ${quoted(declared)}`] : []),
      ];
      const where = p.logicalSwitch === vm.switch ? ` on switch ${vm.switch}` : '';
      if (diffs.length) lines.push(`logical switch port ${vm.name}${where}: ${diffs.join('; ')}`);
    }
  }
  return lines;
}

// Which lab each node handle belongs to: a matcher gets only the node (`expect(lab.node('vm1'))`)
// but needs the whole lab (other nodes' addresses, the deadline).
import type { NodeHandle, StartedLab } from '../lab/started-lab.ts';

const labOfNode = new WeakMap<NodeHandle, StartedLab>();

export function labOf(node: NodeHandle): StartedLab {
  const lab = labOfNode.get(node);
  if (!lab) throw new Error(`${node.name} is not a node of the lab this check runs against: pass lab.node('${node.name}') from the test's { lab } fixture`);
  return lab;
}

/** Make a lab's nodes known to the matchers (attachNamedLab does it; a fixture of your own that attaches a lab calls it). */
export function registerLab(lab: StartedLab): StartedLab {
  for (const n of lab.nodes()) labOfNode.set(n, lab);
  return lab;
}


// `netproof intent LAB`: print an intent file inferred from a running lab (to stdout, for the
// user to review and commit as LAB.intent.yml beside the topology); what was left out and why
// goes to stderr, so redirecting stdout gives a clean file.
import { basename } from 'node:path';
import { stringify } from 'yaml';
import type { StartedLab } from '../lab/started-lab.ts';
import { linkLabel } from '../model/topology.ts';
import { intentDocument } from '../render/intent.ts';
import { intentFromObservations, observeRouters } from '../state/infer-intent.ts';
import { intentFileFor } from '../topology/load-intent.ts';
import { waitFor } from '../wait-for.ts';

/** Right after a deploy a bgpd may still be loading its configuration: asked again until this long. */
const ANSWER_TIMEOUT_MS = 30_000;

export async function printIntent(lab: StartedLab): Promise<void> {
  const { value: observed } = await waitFor(async () => ({ ok: true, value: await observeRouters(lab) }), { timeoutMs: ANSWER_TIMEOUT_MS, description: 'every BGP router to answer vtysh' });
  const { intent, notes } = intentFromObservations(observed);
  const target = basename(intentFileFor(lab.topology.file));
  const header = [
    `# Inferred by: netproof intent ${lab.name} (${new Date().toISOString().slice(0, 10)}), from what its routers ran.`,
    `# Review it — it declares what the lab did, right or wrong — then save it as ${target} beside ${basename(lab.topology.file)}.`,
  ];
  process.stdout.write(`${header.join('\n')}\n${stringify(intentDocument(intent), { lineWidth: 0 })}`);
  // Link MTUs are declared in the topology itself (a link's `mtu`): say which links declare none.
  const undeclaredMtu = lab.topology.links.filter((l) => l.mtu === undefined);
  if (undeclaredMtu.length) notes.push(`${undeclaredMtu.length} links declare no mtu in ${basename(lab.topology.file)} (e.g. ${linkLabel(undeclaredMtu[0]!)}): the MTU check skips them`);
  for (const n of notes) process.stderr.write(`netproof intent: ${n}\n`);
}

// state.json: the run's normalised snapshot — the routers as read after the checks, the
// matrices the checks observed, every figure and every check's outcome.
import type { LiveState } from '../state/collect.ts';
import { emptySnapshot, type Snapshot } from '../state/snapshot.ts';
import type { Summary } from './summary-reporter.ts';

export function buildSnapshot(lab: string, live: LiveState, summary: Summary | undefined): Snapshot {
  const s = emptySnapshot(lab);
  s.routers = live.routers;
  s.mtu = live.mtu;
  if (!summary) return s;
  s.reachability = sortedRecord(summary.observations.reachability);
  s.acl = sortedRecord(summary.observations.acl);
  s.largestPacket = sortedRecord(summary.observations.largestPacket);
  s.figures = sortedRecord(Object.fromEntries(Object.entries(summary.figures).map(([k, f]) => [k, { value: f.value, unit: f.unit }])));
  s.checks = sortedRecord(Object.fromEntries(summary.tests.map((t) => [t.name, t.status === 'pending' ? 'skipped' : t.status])));
  return s;
}

/** Keys in a stable order, so two runs of one lab write the same file. */
function sortedRecord<T>(r: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })));
}

// The OVN-Kubernetes style overlay `generate clos --namespaces` writes, on the same TEPs as the
// OpenStack one: every suite passes on it, or says what its intent does not declare (no provider
// network, no health checks); namespaces are isolated, and each Service spreads over its pods.
// On network namespaces only: the suites read the lab through the runtime-neutral NodeHandle,
// and the default lab covers Docker.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { netproof } from '../../fixtures/cli.ts';
import { generatedLab } from '../../fixtures/faults.ts';
import { labFor, leftovers } from '../../fixtures/runtimes.ts';
import type { Summary } from '../report/summary-reporter.ts';

const LAB = labFor('e2e-k8s', 'netns');
afterAll(async () => {
  await netproof(['destroy', LAB]);
});

describe('an OVN-Kubernetes style overlay (netns)', () => {
  test('3 namespaces × 3 pods on 2 hosts: every suite passes or is not declared, namespaces are isolated, each Service uses all its pods', async () => {
    const lab = await generatedLab(LAB, { spines: 2, leaves: 2, hosts: 2, namespaces: 3, podsPerNamespace: 3 });
    const reportDir = await mkdtemp(join(tmpdir(), 'netproof-report-k8s-'));
    // Of the underlay's failover classes the grey one: the others fail the same fabric the same way (failover.e2e).
    const result = await netproof(['run', lab.file, '--runtime', 'netns', '--report-dir', reportDir, '--grep', '^(?!.*(carrier loss|far end down))'], { timeoutMs: 600_000 });
    const summary = JSON.parse(await readFile(join(reportDir, 'summary.json'), 'utf8')) as Summary;
    const errors = summary.tests.flatMap((t) => t.errors).join('\n');
    expect(result.exitCode, errors || result.stdout + result.stderr).toBe(0);
    expect(summary.counts.failed).toBe(0);
    // Only what this overlay does not declare is skipped (and the failover classes left out above): OSPF (a BGP lab), north–south (no provider network),
    // health checks, one-way TCP flows, an overlay ECMP split (both hosts on one leaf pair), and weighted ECMP (no link bandwidth declared).
    const skipped = summary.tests.filter((t) => t.status === 'skipped').map((t) => `${t.file} > ${t.name}`);
    for (const s of skipped) expect(s).toMatch(/nat\.test|gateway-failover\.test|igp\.test|north–south|health check|no healthy backend|stateful|overlay flows|declared link bandwidths|bfd-failover\.test\.ts > .*(carrier loss|far end down)/);
    // Each Service: both its backend pods answered the client pod of its namespace.
    for (const ns of ['ns1', 'ns2', 'ns3']) expect(summary.figures[`lb_backends_used.svc-${ns}`]?.value, ns).toBe(2);
    // Namespace isolation, observed: a pod reaches its own namespace, never another's.
    const acl = summary.tests.flatMap((t) => Object.entries(t.observations?.acl ?? {}));
    expect(acl.length).toBeGreaterThan(0);
    for (const [cell, verdict] of acl) {
      const [src, dst] = cell.split(' → ').map((s) => s.split(' ')[0]!.split('-')[0]);
      expect(verdict, cell).toBe(src === dst ? 'allow' : 'deny');
    }
    expect(await leftovers(LAB)).toEqual([]);
  }, 600_000);
});

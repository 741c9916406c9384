import { describe, expect, it } from 'vitest';
import { diffMarkdown, diffReport, failureLines } from './report.ts';
import { emptySnapshot, type Snapshot } from './snapshot.ts';

const snap = (parts: Partial<Snapshot>): Snapshot => ({ ...emptySnapshot('dc'), ...parts });

const baseline = snap({
  acl: { 'vm1 → vm2 tcp/22': 'deny', 'vm1 → vm2 tcp/5432': 'allow' },
  largestPacket: { 'host1 → host2': 1400 },
  mtu: { 'leaf1:eth1': 9000 },
  checks: { 'a|b': 'passed' },
});
const proposed = snap({
  acl: { 'vm1 → vm2 tcp/22': 'deny', 'vm1 → vm2 tcp/5432': 'deny' },
  largestPacket: { 'host1 → host2': 1442 },
  mtu: { 'leaf1:eth1': 1500 },
  checks: { 'a|b': 'passed' },
});

const report = (o: { after?: Snapshot; afterPassed?: boolean; accepted?: Parameters<typeof diffReport>[0]['accepted'] } = {}) =>
  diffReport({
    before: { label: 'baseline state.json', lab: 'dc', snapshot: baseline },
    after: { label: 'out/state.json', lab: 'dc', snapshot: o.after ?? proposed },
    afterPassed: o.afterPassed ?? true,
    accepted: o.accepted,
  });

describe('diffReport', () => {
  it('fails on an unintended regression and counts each verdict', () => {
    const r = report();
    expect(r.verdict).toBe('fail');
    expect(r.counts).toEqual({ regressions: 1, improvements: 1, neutral: 1, intended: 0 });
    expect(r.tolerance).toEqual({ relative: 1 });
    expect(failureLines(r)).toEqual(['vm1 → vm2 tcp/5432: allow → deny']);
  });

  it('passes when the regression is intended, and counts it only as intended', () => {
    const r = report({ accepted: [{ kind: 'acl', subject: 'vm1 → vm2 tcp/5432' }] });
    expect(r.verdict).toBe('pass');
    expect(r.counts).toEqual({ regressions: 0, improvements: 1, neutral: 1, intended: 1 });
    expect(failureLines(r)).toEqual([]);
  });

  it('fails when an intended change did not happen', () => {
    const r = report({ accepted: [{ kind: 'acl', subject: 'vm1 → vm2 tcp/5432' }, { kind: 'acl', subject: 'vm1 → vm2 tcp/22', before: 'deny', after: 'allow' }] });
    expect(r.verdict).toBe('fail');
    expect(failureLines(r)).toEqual(['expected vm1 → vm2 tcp/22 deny → allow, but it stayed deny']);
  });

  it('fails when the proposed lab failed its own suites, even without differences', () => {
    const r = report({ after: baseline, afterPassed: false });
    expect(r.differences).toEqual([]);
    expect(r.verdict).toBe('fail');
    expect(failureLines(r)).toEqual(['the proposed lab failed its own suites']);
    expect(report({ after: baseline }).verdict).toBe('pass');
  });
});

describe('diffMarkdown', () => {
  it('shows the verdict, the counts and the regression, and omits empty sections', () => {
    const md = diffMarkdown(report());
    expect(md).toContain('## netproof change: FAIL\n');
    expect(md).toContain('1 regression, 1 improvement, 1 neutral, 0 intended — baseline state.json (dc) → out/state.json (dc), figures that moved by 100 % or less (or less than 200 ms / 2 s) not listed.');
    expect(md).toContain('### Regressions\n\n| kind | what | before | after |\n| --- | --- | --- | --- |\n| acl | vm1 → vm2 tcp/5432: allow → deny | allow | deny |\n');
    expect(md).toContain('| packet-size | host1 → host2: largest DF packet 1400 → 1442 B | 1400 | 1442 |');
    expect(md).toContain('### Improvements');
    expect(md).toContain('### Neutral');
    expect(md).not.toContain('### Intended');
    expect(md).not.toContain('No differences.');
    expect(md).not.toContain('failed its own suites');
  });

  it('lists intended differences and the ones that did not happen', () => {
    const md = diffMarkdown(report({ accepted: [{ kind: 'acl', subject: 'vm1 → vm2 tcp/5432' }, { kind: 'acl', subject: 'vm1 → vm2 tcp/22', before: 'deny', after: 'allow' }, { kind: 'mtu', subject: 'leaf1:eth1' }] }));
    expect(md).toContain('### Intended\n\n| kind | what | before | after |\n| --- | --- | --- | --- |\n| mtu | leaf1:eth1: MTU 9000 → 1500 | 9000 | 1500 |\n| acl | vm1 → vm2 tcp/5432: allow → deny | allow | deny |\n');
    expect(md).toContain('### Intended but did not happen\n\n| kind | what | before | after |\n| --- | --- | --- | --- |\n| acl | expected vm1 → vm2 tcp/22 deny → allow, but it stayed deny | deny | allow |\n');
    expect(md).not.toContain('### Regressions');
    expect(md).not.toContain('### Neutral');
  });

  it('says so when there are no differences, and escapes | in cells', () => {
    const same = diffMarkdown(report({ after: baseline }));
    expect(same).toContain('## netproof change: pass\n');
    expect(same).toContain('\nNo differences.\n');
    expect(same).not.toContain('###');

    const broken = diffMarkdown(report({ after: { ...baseline, checks: { 'a|b': 'failed' } }, afterPassed: false }));
    expect(broken).toContain('| check | a\\|b: passed → failed | passed | failed |');
    expect(broken).toContain('**The proposed lab failed its own suites.**');
  });
});

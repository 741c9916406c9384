// Bad input and an unfit environment: a clear error naming the file, the field and the fix,
// the documented exit code, and nothing deployed.
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { exec } from '../exec.ts';
import { SUITE_NAMES } from './run.ts';
import { CLI, labNamespaces, netproof } from '../../fixtures/cli.ts';
import { generatedLab } from '../../fixtures/faults.ts';

const BAD = 'fixtures/topologies/many-mistakes.clab.yml';

describe('bad input', () => {
  test('run: every problem at once with file:line:column, field and fix; exit 2; nothing deployed', async () => {
    const r = await netproof(['run', BAD]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('4 problems in');
    expect(r.stderr).toMatch(/many-mistakes\.clab\.yml:8:11: topology\.nodes\.r1\.binds\[0\]: bind source .*r1\/frr\.conf does not exist\n\s+fix: /);
    expect(r.stderr).toMatch(/many-mistakes\.clab\.yml:15:30: topology\.links\[0\]\.endpoints\[1\]: names unknown node "spine9" \(nodes: r1, h1\)\n\s+fix: add "spine9" under topology\.nodes/);
    expect(r.stderr).toMatch(/:16:30: topology\.links\[1\]\.endpoints\[1\]: interface "this-name-is-too-long" is not a valid Linux interface name/);
    expect(r.stderr).toMatch(/:13:11: topology\.nodes\.h1\.exec\[0\]: exec line "cat \/etc\/passwd \| tee \/tmp\/x" uses the shell operator "\|"/);
    expect(await labNamespaces('bad-lab')).toEqual([]);
  });

  test('deploy: a runtime rule (no non-network commands in the netns runtime) is input error too', async () => {
    const lab = await generatedLab('e2e-bad-exec', { spines: 1, leaves: 2, hosts: 0 });
    await writeFile(lab.file, (await import('node:fs')).readFileSync(lab.file, 'utf8').replace('    spine1:\n      group: spine\n', '    spine1:\n      group: spine\n      exec:\n        - touch /etc/owned\n'));
    const r = await netproof(['deploy', lab.file]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/topology\.nodes\.spine1\.exec: exec line "touch \/etc\/owned" runs touch, but the netns runtime shares the host's filesystem/);
    expect(await labNamespaces('e2e-bad-exec')).toEqual([]);
  });

  test('a file that does not exist, an unknown suite, an unknown command: exit 2', async () => {
    const missing = await netproof(['run', 'no/such/lab.clab.yml']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/no\/such\/lab\.clab\.yml:1:1: \(file\): cannot be read: ENOENT/);
    const suite = await netproof(['run', 'topologies/dc/dc.clab.yml', '--suite', 'nope']);
    expect(suite.exitCode).toBe(2);
    expect(suite.stderr).toContain(`unknown suite: nope (suites: ${SUITE_NAMES.join(', ')})`);
    const verb = await netproof(['frobnicate']);
    expect(verb.exitCode).toBe(2);
    expect(verb.stderr).toContain("unknown command 'frobnicate'");
  });

  test('a bad intent file, --baseline or --accept: exit 2 naming the file and the field, before anything is deployed', async () => {
    const lab = await generatedLab('e2e-bad-intent', { spines: 1, leaves: 2, hosts: 0 });
    const intentFile = lab.file.replace('.clab.yml', '.intent.yml');
    const intent = (await import('node:fs')).readFileSync(intentFile, 'utf8');
    await writeFile(intentFile, intent.replace('asn: 65101', 'asn: 0').replace('      - 10.255.1.2/32', '      - 10.255.1.0/24'));
    const bad = await netproof(['run', lab.file]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/e2e-bad-intent\.intent\.yml:\d+:\d+: routers\.leaf1\.asn: .*0.*\n\s+fix: /);
    expect(bad.stderr).toMatch(/e2e-bad-intent\.intent\.yml:\d+:\d+: routers\.leaf2\.loopbacks\[0\]: .*\/32/);
    await writeFile(intentFile, intent);

    const dir = await mkdtemp(join(tmpdir(), 'netproof-bad-diff-'));
    const missing = await netproof(['run', lab.file, '--baseline', join(dir, 'none.json')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain(`--baseline ${join(dir, 'none.json')} cannot be read: ENOENT`);
    await writeFile(join(dir, 'summary.json'), JSON.stringify({ status: 'passed' }));
    const notState = await netproof(['run', lab.file, '--baseline', join(dir, 'summary.json')]);
    expect(notState.exitCode).toBe(2);
    expect(notState.stderr).toMatch(/summary\.json:1:1: version: is undefined, this netproof reads version 1\n\s+fix: pass the state\.json/);
    await writeFile(join(dir, 'accept.json'), JSON.stringify([{ kind: 'acl', subject: 'vm1 → vm2 tcp/22' }, { kind: 'colour', subject: 'x' }]));
    const proposed = lab.file.replace('.clab.yml', '-proposed.clab.yml');
    await writeFile(proposed, (await import('node:fs')).readFileSync(lab.file, 'utf8'));
    const accept = await netproof(['change', lab.file, proposed, '--accept', join(dir, 'accept.json')]);
    expect(accept.exitCode).toBe(2);
    expect(accept.stderr).toMatch(/accept\.json:1:1: \[1\]\.kind: .*colour/);
    const same = await netproof(['change', lab.file, lab.file]);
    expect(same.exitCode).toBe(2);
    expect(same.stderr).toContain('CURRENT and PROPOSED are the same file');
    expect(await labNamespaces('e2e-bad-intent')).toEqual([]);
  });

  test('--help describes every verb', async () => {
    const r = await netproof(['--help']);
    expect(r.exitCode).toBe(0);
    for (const verb of ['generate', 'validate', 'deploy', 'status', 'exec', 'test', 'fault', 'destroy', 'run', 'export', 'intent', 'change']) expect(r.stdout).toMatch(new RegExp(`^\\s+${verb}\\b`, 'm'));
    const run = await netproof(['run', '--help']);
    expect(run.stdout).toContain('--report-dir');
    expect(run.stdout).toMatch(/--runtime <name>.*"netns", "docker"/s);
  });
});

describe('unfit environment', () => {
  test('not root: exit 3 with the command that fixes it, nothing deployed', async () => {
    // The same CLI as an unprivileged user (nobody); it needs read access to the project only.
    const dir = await mkdtemp(join(tmpdir(), 'netproof-nonroot-'));
    await chmod(dir, 0o755);
    const r = await exec(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'deploy', 'topologies/dc/dc.clab.yml'], { env: { ...process.env, CI: 'true', HOME: dir } });
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toContain('needs root');
    expect(r.stderr).toContain('fix: ');
    expect(await labNamespaces('dc')).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { spawnBackground } from '../background.ts';
import { dockerExecArgv, pidRecordingArgv } from './docker-shell.ts';
import { containerVethArgv } from './engine.ts';
import { readFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('dockerExecArgv', () => {
  it('passes stdin only when there is input, and each variable as its own -e', () => {
    expect(dockerExecArgv('np.l.n', ['nft', '-f', '-'], { interactive: true, env: { OVS_RUNDIR: '/run/x', A: 'b c' } })).toEqual(['docker', 'exec', '-i', '-e', 'OVS_RUNDIR=/run/x', '-e', 'A=b c', 'np.l.n', 'nft', '-f', '-']);
    expect(dockerExecArgv('np.l.n', ['true'])).toEqual(['docker', 'exec', 'np.l.n', 'true']);
  });
});

describe('pidRecordingArgv', () => {
  it('records the pid of the process that becomes the command, and passes the command as arguments', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netproof-pid-'));
    const pidFile = join(dir, 'x.pid');
    // A word a shell would expand stays a literal argument.
    const p = spawnBackground(pidRecordingArgv(pidFile, ['sh', '-c', 'echo "$$ $1"', 'sh', '$(touch /tmp/never)']));
    expect(await p.exited).toBe(0);
    const [pid, arg] = p.output().trim().split(' ');
    expect(arg).toBe('$(touch');
    expect((await readFile(pidFile, 'utf8')).trim()).toBe(pid);
  });
});

describe('containerVethArgv', () => {
  it('creates both ends straight in the containers’ namespaces, by PID', () => {
    expect(containerVethArgv({ pid: 101, iface: 'eth1' }, { pid: 202, iface: 'eth3' }, 9000)).toEqual(['ip', 'link', 'add', 'name', 'eth1', 'mtu', '9000', 'netns', '101', 'type', 'veth', 'peer', 'name', 'eth3', 'mtu', '9000', 'netns', '202']);
  });
});

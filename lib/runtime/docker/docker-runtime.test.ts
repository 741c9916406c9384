import { describe, expect, it } from 'vitest';
import { parseTopology } from '../../topology/load.ts';
import { DockerRuntime } from './docker-runtime.ts';

const topology = (node: string) => parseTopology(['name: t', 'topology:', '  nodes:', `    a: ${node}`].join('\n'), '/labs/t/t.clab.yml', { exists: () => true });

describe('DockerRuntime.check', () => {
  it('accepts any exec line: a container has its own filesystem, as in containerlab', () => {
    expect(new DockerRuntime().check(topology('{ kind: linux, exec: ["apt-get moo", "touch /etc/x"] }'))).toEqual([]);
  });

  it('refuses a sysctl outside net.*, which would change the host, naming the field and the fix', () => {
    const problems = new DockerRuntime().check(topology('{ kind: linux, sysctls: { kernel.panic: 1, net.ipv4.ip_forward: 1 } }'));
    expect(problems).toEqual([expect.objectContaining({ field: 'topology.nodes.a.sysctls.kernel.panic', line: 4, fix: 'keep only net.* sysctls' })]);
  });
});

// The trafgen agent run for real (`trafgen serve`, over 127.0.0.1 only), behind a stand-in node
// whose channel is a local process: jobs answer as an exec of trafgen would, one agent serves
// them all, and an agent that dies fails its jobs instead of leaving them waiting.
import { describe, expect, it } from 'vitest';
import { openLineChannel, type LineChannel } from '../exec.ts';
import type { NodeHandle } from '../lab/started-lab.ts';
import { runTrafgen, trafgenReady } from './trafgen-agent.ts';

const LOOPBACK = '127.0.0.1';

function localNode(name: string): NodeHandle & { opened: LineChannel[] } {
  const opened: LineChannel[] = [];
  return {
    name,
    opened,
    toolArgv: (script: string, args: readonly string[]) => [process.execPath, script, ...args],
    openChannel: (argv: readonly string[]) => (opened.push(openLineChannel(argv)), opened.at(-1)!),
  } as unknown as NodeHandle & { opened: LineChannel[] };
}

const port = () => 30_000 + Math.floor(Math.random() * 5_000);

describe('trafgen agent', () => {
  it('runs a receiver and a sender as jobs of one agent, telling the receiver ready as it comes', async () => {
    const node = localNode('n1');
    await trafgenReady(node);
    const p = port();
    const heard: string[] = [];
    let finished = () => {};
    const closed = new Promise<void>((r) => (finished = r));
    const received = runTrafgen(node, ['recv', '--port', String(p), '--duration', '10', '--until-eof'], { timeoutMs: 20_000, closeStdinWhen: closed, onStderr: (c) => heard.push(c) });
    await expect.poll(() => heard.join(''), { timeout: 10_000 }).toContain(`trafgen: listening on udp/${p}`);
    const sent = await runTrafgen(node, ['send', '--dst', LOOPBACK, '--port', String(p), '--flows', '2', '--rate', '200', '--duration', '0.2'], { timeoutMs: 20_000 });
    finished();
    const got = await received;
    expect(sent.exitCode, sent.stderr).toBe(0);
    expect(got.exitCode, got.stderr).toBe(0);
    const s = JSON.parse(sent.stdout) as { sent: number[] };
    const r = JSON.parse(got.stdout) as { flows: number[] };
    expect(s.sent.reduce((a, b) => a + b, 0)).toBe(40);
    expect(r.flows.length).toBe(40);
    expect(node.opened).toHaveLength(1);
    await node.opened[0]!.close();
  });

  it('answers bad usage with exit 2 and trafgen\'s words, and keeps serving', async () => {
    const node = localNode('n2');
    const bad = await runTrafgen(node, ['send', '--dst', 'localhost', '--port', '9'], { timeoutMs: 10_000 });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--dst must be an IPv4 or IPv6 address/);
    const again = await runTrafgen(node, ['blast'], { timeoutMs: 10_000 });
    expect(again.stderr).toMatch(/usage: trafgen send/);
    expect(node.opened).toHaveLength(1);
    await node.opened[0]!.close();
  });

  it('fails the jobs of an agent that ended, and starts a new agent for the next job', async () => {
    const node = localNode('n3');
    // The first agent says it is ready, then dies with words on stderr.
    const dying = [process.execPath, '-e', 'console.log(JSON.stringify({ ready: true })); setTimeout(() => { console.error("out of memory"); process.exit(9); }, 300)'];
    let first = true;
    node.openChannel = (argv) => (node.opened.push(openLineChannel(first ? dying : argv)), (first = false), node.opened.at(-1)!);
    const r = await runTrafgen(node, ['recv', '--port', String(port()), '--duration', '30'], { timeoutMs: 40_000 });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/trafgen serve in n3: .*ended \(exit 9\): out of memory/);
    const next = await runTrafgen(node, ['blast'], { timeoutMs: 10_000 });
    expect(next.exitCode).toBe(2);
    expect(node.opened).toHaveLength(2);
    await node.opened[1]!.close();
  });
});

// Real traffic between lab nodes, through the runtime's exec: ICMP echo, TCP connect, UDP
// request/response, bulk TCP. Targets are always addresses inside the lab; every attempt is
// bounded in time. Tools: ping (iputils), ncat, socat, ss.
import type { BackgroundProcess, NodeHandle } from '../lab/started-lab.ts';
import { ownFile } from '../paths.ts';
import { waitFor } from '../wait-for.ts';

export interface PingOptions {
  /** ICMP payload bytes (`ping -s`); the IP packet is 28 bytes more. */
  payloadBytes?: number;
  /** Set don't-fragment (`ping -M do`). */
  dontFragment?: boolean;
  timeoutS?: number;
}

/** What one attempt did: `ok`, and how it ended in the tool's own words (for messages). */
export interface Attempt {
  ok: boolean;
  detail: string;
  /** From a source echo (probeBatch with `seen`): the source address it saw, and the node that answered. */
  seen?: string;
  by?: string;
  /** From probeBatch, tcp: the source port the connection used. */
  sport?: number;
}

export async function pingAttempt(node: NodeHandle, dst: string, o: PingOptions = {}): Promise<Attempt> {
  const timeoutS = o.timeoutS ?? 1;
  const argv = ['ping', '-n', '-q', '-c', '1', '-W', String(timeoutS)];
  if (o.payloadBytes !== undefined) argv.push('-s', String(o.payloadBytes));
  if (o.dontFragment) argv.push('-M', 'do');
  const r = await node.exec([...argv, dst], { timeoutMs: (timeoutS + 5) * 1000 });
  return { ok: r.exitCode === 0, detail: r.exitCode === 0 ? 'echo reply' : `ping: no reply within ${timeoutS} s` };
}

export const ping = async (node: NodeHandle, dst: string, o: PingOptions = {}): Promise<boolean> => (await pingAttempt(node, dst, o)).ok;

export async function tcpConnectAttempt(node: NodeHandle, dst: string, port: number, timeoutS = 1): Promise<Attempt> {
  const r = await node.exec(['ncat', '-z', '-v', '-w', String(timeoutS), dst, String(port)], { timeoutMs: (timeoutS + 5) * 1000 });
  if (r.exitCode === 0) return { ok: true, detail: 'connected' };
  // ncat -v says why: "Connection refused.", "TIMEOUT.", "No route to host."
  const said = (r.stderr || r.stdout).split('\n').map((l) => l.replace(/^Ncat: /, '').trim()).filter((l) => l && !/^Version|^Connected to|bytes sent/.test(l));
  return { ok: false, detail: `ncat: ${said.at(-1) ?? `exit ${r.exitCode}`}` };
}

export const tcpConnects = async (node: NodeHandle, dst: string, port: number, timeoutS = 1): Promise<boolean> => (await tcpConnectAttempt(node, dst, port, timeoutS)).ok;

const UDP_TOKEN = 'netproof-udp-probe';

/** A UDP request that must come back from the echo listener: request and response both pass. */
export async function udpEchoAttempt(node: NodeHandle, dst: string, port: number, timeoutS = 1): Promise<Attempt> {
  const r = await node.exec(['socat', '-T', String(timeoutS), '-', `UDP:${dst}:${port}`], { input: `${UDP_TOKEN}\n`, timeoutMs: (timeoutS + 5) * 1000 });
  const ok = r.stdout.includes(UDP_TOKEN);
  return { ok, detail: ok ? 'reply received' : `no UDP reply within ${timeoutS} s${r.stderr.trim() ? ` (${r.stderr.trim().split('\n').at(-1)})` : ''}` };
}

export const udpEchoes = async (node: NodeHandle, dst: string, port: number, timeoutS = 1): Promise<boolean> => (await udpEchoAttempt(node, dst, port, timeoutS)).ok;

export async function waitListening(node: NodeHandle, proto: 'tcp' | 'udp', port: number): Promise<void> {
  await waitFor(
    async () => {
      const r = await node.exec(['ss', '-H', '-l', '-n', proto === 'tcp' ? '-t' : '-u', 'sport', '=', `:${port}`]);
      return r.stdout.trim() ? { ok: true, value: true } : { ok: false, reason: `${node.name}: nothing listening on ${proto}/${port}` };
    },
    { timeoutMs: 10_000, intervalsMs: [20, 50, 100], description: `${node.name} to listen on ${proto}/${port}` },
  );
}

/** Listeners that accept TCP (and discard) or echo UDP on `port`; stop them when done. */
export async function startListener(node: NodeHandle, proto: 'tcp' | 'udp', port: number): Promise<BackgroundProcess> {
  // -d -d: socat says when its socket is bound ("listening on" / "receiving on"), which is read
  // here as it comes, instead of asking ss in the node again and again. -T 1: each forked child
  // (one per connection or datagram) holds the listening socket too, and stopping the listener
  // does not stop it; an idle child ends within a second, so the port is free again for the
  // next suite's own receiver.
  const argv = proto === 'tcp' ? ['socat', '-d', '-d', '-T', '1', '-u', `TCP-LISTEN:${port},fork,reuseaddr`, 'OPEN:/dev/null'] : ['socat', '-d', '-d', '-T', '1', `UDP-RECVFROM:${port},fork,reuseaddr`, 'EXEC:cat'];
  const p = node.spawn(argv);
  const bound = new RegExp(`(listening|receiving) on AF=\\d+ \\S+:${port}\\b`);
  let exited: number | null | undefined;
  void p.exited.then((code) => (exited = code));
  await waitFor(
    async () => {
      if (bound.test(p.output())) return { ok: true, value: true };
      if (exited !== undefined) throw new Error(`${node.name}: socat exited (${exited}) before listening on ${proto}/${port}: ${p.output().trim().slice(-300)}`);
      return { ok: false, reason: `${node.name}: socat not listening on ${proto}/${port} yet` };
    },
    { timeoutMs: 10_000, intervalsMs: [5, 10, 20], description: `${node.name} to listen on ${proto}/${port}` },
  ).catch(async (e: unknown) => {
    await p.stop();
    throw e;
  });
  return p;
}

/** Send `bytes` over one TCP connection; resolves with how many bytes the receiver got. */
export async function bulkTcp(src: NodeHandle, dst: NodeHandle, dstIp: string, port: number, bytes: number, timeoutS: number): Promise<number> {
  const receiving = dst.exec(['socat', '-u', '-T', String(timeoutS), `TCP-LISTEN:${port},reuseaddr`, 'STDOUT'], { encoding: 'latin1', timeoutMs: (timeoutS + 10) * 1000 });
  await waitListening(dst, 'tcp', port);
  await src.exec(['socat', '-u', '-T', String(timeoutS), `OPEN:/dev/zero,readbytes=${bytes}`, `TCP:${dstIp}:${port},connect-timeout=${timeoutS}`], { timeoutMs: (timeoutS + 10) * 1000 });
  const r = await receiving;
  return r.stdout.length;
}

/** Run inside nodes, like the traffic generator: many attempts from one node in one process. */
export const PROBE_BATCH = ownFile('lib/traffic/probe-batch.ts');

export interface BatchProbe {
  protocol: 'tcp' | 'udp' | 'icmp';
  dst: string;
  port?: number;
  /** TCP: wait for a source echo's line (UDP replies carry it anyway); the attempt then says what it saw. */
  seen?: boolean;
}

/** Run inside nodes: answers each TCP connection and UDP probe with the source it saw and its name. */
export const SOURCE_ECHO = ownFile('lib/traffic/source-echo.ts');

/**
 * A source echo on `node` for the given ports, once nothing else listens on them (a previous
 * suite's listener may linger up to a second); resolves when every port is bound. Stop it when done.
 */
export async function startSourceEcho(node: NodeHandle, ports: { tcp: readonly number[]; udp: readonly number[] }): Promise<BackgroundProcess> {
  const all = [...ports.tcp.map((p) => ['tcp', p] as const), ...ports.udp.map((p) => ['udp', p] as const)];
  await waitFor(
    async () => {
      const busy = await node.exec(['ss', '-H', '-l', '-n', '-t', '-u']);
      const taken = all.filter(([proto, p]) => busy.stdout.split('\n').some((l) => l.startsWith(proto) && new RegExp(`:${p}\\s`).test(l)));
      return taken.length ? { ok: false, reason: `${node.name}: ${taken.map(([proto, p]) => `${proto}/${p}`).join(', ')} still taken by another listener` } : { ok: true, value: true };
    },
    { timeoutMs: 10_000, intervalsMs: [50, 100, 250], description: `${node.name}'s ports to be free for a source echo` },
  );
  const args = ['--name', node.name, ...ports.tcp.flatMap((p) => ['--tcp', String(p)]), ...ports.udp.flatMap((p) => ['--udp', String(p)])];
  const p = node.spawn(node.toolArgv(SOURCE_ECHO, args));
  let exited: number | null | undefined;
  void p.exited.then((code) => (exited = code));
  await waitFor(
    async () => {
      const missing = all.filter(([proto, port]) => !p.output().includes(`listening ${proto}/${port}\n`));
      if (!missing.length) return { ok: true, value: true };
      if (exited !== undefined) throw new Error(`${node.name}: source-echo exited (${exited}): ${p.output().trim().slice(-300)}`);
      return { ok: false, reason: `${node.name}: source-echo not listening on ${missing.map(([proto, port]) => `${proto}/${port}`).join(', ')} yet` };
    },
    { timeoutMs: 15_000, intervalsMs: [10, 20, 50], description: `${node.name}'s source echo to listen` },
  ).catch(async (e: unknown) => {
    await p.stop();
    throw e;
  });
  return p;
}

/** Every probe from `node` at once, each bounded by `timeoutMs`: the outcomes in order. */
export async function probeBatch(node: NodeHandle, probes: readonly BatchProbe[], timeoutMs = 1000, o: { concurrency?: number } = {}): Promise<Attempt[]> {
  if (!probes.length) return [];
  const waves = o.concurrency ? Math.ceil(probes.length / o.concurrency) : 1;
  const args = ['--timeout-ms', String(timeoutMs), ...(o.concurrency ? ['--concurrency', String(o.concurrency)] : [])];
  const r = await node.exec(node.toolArgv(PROBE_BATCH, args), { input: JSON.stringify(probes), timeoutMs: waves * timeoutMs + 30_000 });
  if (r.exitCode !== 0) throw new Error(`${node.name}: probe-batch failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().slice(0, 500)}`);
  return JSON.parse(r.stdout) as Attempt[];
}

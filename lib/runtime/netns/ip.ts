// argv builders and queries for namespaces and links. Names reaching here were validated
// by the topology loader; `name`/`dev` keywords keep `ip` from reading them as keywords.
import { readdir } from 'node:fs/promises';
import { exec, execOk } from '../../exec.ts';

export const NETNS_DIR = '/run/netns';

export async function listNamespaces(): Promise<string[]> {
  try {
    return await readdir(NETNS_DIR);
  } catch {
    return [];
  }
}

export const addNamespace = (ns: string) => execOk(['ip', 'netns', 'add', ns]);
export const deleteNamespace = (ns: string) => exec(['ip', 'netns', 'del', ns]);
export const inNamespace = (ns: string, argv: readonly string[]) => ['ip', 'netns', 'exec', ns, ...argv];

export function vethArgv(a: { ns: string; iface: string }, b: { ns: string; iface: string }, mtu?: number): string[] {
  const mtuArgs = mtu !== undefined ? ['mtu', String(mtu)] : [];
  return ['ip', '-n', a.ns, 'link', 'add', 'name', a.iface, ...mtuArgs, 'type', 'veth', 'peer', 'name', b.iface, ...mtuArgs, 'netns', b.ns];
}

export const linkUpArgv = (ns: string, iface: string) => ['ip', '-n', ns, 'link', 'set', 'dev', iface, 'up'];
export const addrAddArgv = (ns: string, iface: string, cidr: string) => ['ip', '-n', ns, 'addr', 'add', cidr, 'dev', iface];

/** PIDs of every process in a namespace (`ip netns pids`). */
export async function namespacePids(ns: string): Promise<number[]> {
  const r = await exec(['ip', 'netns', 'pids', ns]);
  return r.stdout
    .split('\n')
    .map((s) => Number.parseInt(s, 10))
    .filter((n) => Number.isInteger(n) && n > 0);
}

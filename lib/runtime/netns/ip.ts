// argv builders and queries for namespaces and links. Names reaching here were validated
// by the topology loader; `name`/`dev` keywords keep `ip` from reading them as keywords.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
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


/** A namespace's identity (device and inode of its nsfs file), which outlives its name. */
export interface NamespaceId {
  dev: number;
  ino: number;
}

export async function namespaceId(ns: string): Promise<NamespaceId | undefined> {
  try {
    const st = await stat(join(NETNS_DIR, ns));
    return { dev: st.dev, ino: st.ino };
  } catch {
    return undefined;
  }
}

/**
 * PIDs of every process whose network namespace is one of `ids`, found the way `ip netns pids`
 * does (stat of /proc/PID/ns/net) but also after the namespaces' names are gone.
 */
export async function pidsInNamespaces(ids: readonly NamespaceId[]): Promise<number[]> {
  if (!ids.length) return [];
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    try {
      const st = await stat(`/proc/${pid}/ns/net`);
      if (ids.some((id) => id.dev === st.dev && id.ino === st.ino)) pids.push(pid);
    } catch {
      // exited meanwhile, or a kernel thread
    }
  }
  return pids;
}

// Every name from a topology reaches a command line (namespace names, interface names,
// file names). These rules are the gate: only names that pass them are ever used.

/** Lab names: a subset of containerlab's, without dots so `np.<lab>.<node>` splits unambiguously. */
export const LAB_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,31}$/;
/** Node names: as containerlab's but without `.` and `|` (they end up in namespace and file names). */
export const NODE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,39}$/;
/** Linux interface names: at most 15 bytes, no `/`, `:` or whitespace. */
export const IFACE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,14}$/;

// Names that `ip` would read as keywords or that the runtime owns itself.
const RESERVED_IFACES = new Set(['lo', 'eth0', 'all', 'default', 'dev', 'name', 'type', 'up', 'down']);

export function ifaceNameProblem(name: string): string | undefined {
  if (!IFACE_NAME.test(name)) return 'is not a valid Linux interface name (1–15 characters: letters, digits, _ . -; starting with a letter or digit)';
  if (RESERVED_IFACES.has(name)) return `is reserved (${name === 'eth0' ? 'eth0 is the management interface in containerlab' : 'ip(8) reads it as a keyword or the node owns it'})`;
  return undefined;
}

/** Prefix of every network namespace netproof creates. */
export const NS_PREFIX = 'np';

export function namespaceName(lab: string, node: string): string {
  return `${NS_PREFIX}.${lab}.${node}`;
}

/** The lab and node a namespace belongs to, or undefined if netproof did not name it. */
export function parseNamespaceName(ns: string): { lab: string; node: string } | undefined {
  const parts = ns.split('.');
  if (parts.length !== 3 || parts[0] !== NS_PREFIX) return undefined;
  const [, lab, node] = parts as [string, string, string];
  if (!LAB_NAME.test(lab) || !NODE_NAME.test(node)) return undefined;
  return { lab, node };
}

// `--privileged` asks for every capability; where the host's bounding set lacks one (this
// sandbox has no CAP_SYS_RESOURCE) runc refuses to start the container. So nodes get ALL
// minus what the bounding set lacks: detected from /proc, never hard-coded.
import { readFileSync } from 'node:fs';

/** Linux capabilities by bit number (include/uapi/linux/capability.h). */
export const CAPABILITIES = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID',
  'SETPCAP', 'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW',
  'IPC_LOCK', 'IPC_OWNER', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT',
  'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE', 'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD',
  'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP', 'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG',
  'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF', 'CHECKPOINT_RESTORE',
] as const;

/** Capabilities missing from a CapBnd mask (the hex field of /proc/PID/status). */
export function missingFromBoundingSet(capBndHex: string): string[] {
  const mask = BigInt(`0x${capBndHex.trim()}`);
  return CAPABILITIES.filter((_, bit) => (mask & (1n << BigInt(bit))) === 0n);
}

/** What this host's bounding set lacks, from /proc/self/status. */
export function hostMissingCapabilities(status = readFileSync('/proc/self/status', 'utf8')): string[] {
  const line = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status);
  if (!line) throw new Error('no CapBnd line in /proc/self/status');
  return missingFromBoundingSet(line[1]!);
}

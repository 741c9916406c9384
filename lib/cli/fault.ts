// `netproof fault`: exploratory faults from the command line, always undone at the end.
import { greyFailure, isolate, linkDown, packetLoss, setLinkMtu, stopDaemon, type Fault } from '../faults/faults.ts';
import type { StartedLab } from '../lab/started-lab.ts';
import { UsageError } from '../errors.ts';
import { withInterruptCleanup } from './interrupt.ts';

export const FAULT_KINDS = ['link-down', 'grey', 'loss', 'mtu', 'stop-daemon', 'isolate'] as const;

export async function injectFault(lab: StartedLab, kind: string, target: string, o: { percent?: number; mtu?: number }): Promise<Fault> {
  switch (kind) {
    case 'link-down':
      return linkDown(lab, target);
    case 'grey':
      return greyFailure(lab, target);
    case 'loss':
      if (o.percent === undefined) throw new UsageError('"loss" needs --percent N');
      return packetLoss(lab, target, o.percent);
    case 'mtu':
      if (o.mtu === undefined) throw new UsageError('"mtu" needs --mtu BYTES');
      return setLinkMtu(lab, target, o.mtu);
    case 'stop-daemon': {
      const [node, daemon, ...rest] = target.split(':');
      if (!node || !daemon || rest.length) throw new UsageError(`stop-daemon takes node:daemon, e.g. leaf1:bgpd or host1:ovn-controller (got "${target}")`);
      return stopDaemon(lab, node, daemon);
    }
    case 'isolate':
      return isolate(lab, target);
    default:
      throw new UsageError(`unknown fault "${kind}" (faults: ${FAULT_KINDS.join(', ')})`);
  }
}

/**
 * Inject a fault, hold it for `seconds` (or until Ctrl-C/SIGTERM), then undo it. A signal at any
 * moment undoes it: one that comes while the fault is still being injected waits for the
 * injection to finish and then restores, so nothing is left applied.
 */
export async function injectHoldRestore(inject: () => Promise<Fault>, seconds?: number, say: (line: string) => void = () => {}): Promise<void> {
  let injecting: Promise<Fault> | undefined;
  await withInterruptCleanup(
    async () => (await injecting?.catch(() => undefined))?.restore(),
    async () => {
      injecting = inject();
      say(`applied: ${(await injecting).description}`);
      await new Promise<void>((resolve) => {
        if (seconds !== undefined) {
          setTimeout(resolve, seconds * 1000);
          return;
        }
        process.stderr.write('holding the fault; Ctrl-C undoes it\n');
        // Signal handlers do not keep Node running: without a timer it would exit at once (code
        // 13, an unsettled await) and leave the fault in place. The interrupt handler exits.
        setInterval(() => {}, 2 ** 30);
      });
    },
  );
  const fault = await injecting!;
  await fault.restore();
  say(`restored: ${fault.description}`);
}

/** Hold an applied fault for `seconds` (or until Ctrl-C/SIGTERM), then undo it. */
export const holdThenRestore = (fault: Fault, seconds?: number): Promise<void> => injectHoldRestore(async () => fault, seconds);

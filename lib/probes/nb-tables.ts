// One northbound (or southbound) table as JSON, read on the lab's OVN central: what the ACL, port and NAT probes share.
import type { StartedLab } from '../lab/started-lab.ts';
import { parseJson } from '../exec.ts';
import { centralNode } from '../overlay/apply.ts';
import { nbctl, sbctl } from '../render/ovn.ts';
import type { OvsdbTable } from './ovsdb-json.ts';

/** `ovn-nbctl --format=json --columns=… list TABLE` on the central; throws, naming the command, if it fails. */
export async function listNbTable(lab: StartedLab, table: string, columns: string): Promise<OvsdbTable> {
  const central = centralNode(lab);
  const r = await central.exec(nbctl('--format=json', `--columns=${columns}`, 'list', table), { timeoutMs: 20_000 });
  if (r.exitCode !== 0) throw new Error(`${central.name}: ${r.argv.join(' ')} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim()}`);
  return parseJson<OvsdbTable>(r);
}

/** `ovn-sbctl --format=json --columns=… list TABLE` on the central; throws, naming the command, if it fails. */
export async function listSbTable(lab: StartedLab, table: string, columns: string): Promise<OvsdbTable> {
  const central = centralNode(lab);
  const r = await central.exec(sbctl('--format=json', `--columns=${columns}`, 'list', table), { timeoutMs: 20_000 });
  if (r.exitCode !== 0) throw new Error(`${central.name}: ${r.argv.join(' ')} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim()}`);
  return parseJson<OvsdbTable>(r);
}

// Reading `ovn-nbctl`/`ovn-sbctl --format=json list TABLE`: one row per record, columns named by
// `headings`, and OVSDB's own encoding of sets and references in the cells. Pure.

/** `ovn-nbctl --format=json list …`: one row per record, columns named by `headings`. */
export interface OvsdbTable {
  headings: string[];
  data: unknown[][];
}

/** The index of column `name`; throws naming the command (`what`) and the columns it did print. */
export function column(table: OvsdbTable, name: string, what: string): number {
  const i = table.headings.indexOf(name);
  if (i < 0) throw new Error(`${what}: no column "${name}" in ovn-nbctl's JSON (columns: ${table.headings.join(', ')})`);
  return i;
}

/** The uuids of an OVSDB reference column: `["uuid", u]`, or `["set", [["uuid", u], …]]` (empty: `["set", []]`). */
export function uuids(cell: unknown): string[] {
  if (!Array.isArray(cell)) return [];
  if (cell[0] === 'uuid' && typeof cell[1] === 'string') return [cell[1]];
  if (cell[0] === 'set' && Array.isArray(cell[1])) return cell[1].flatMap(uuids);
  return [];
}

/** The strings of an OVSDB set-of-strings column: one is printed bare (`"a"`), others as `["set", ["a", "b"]]`. */
export function strings(cell: unknown): string[] {
  if (typeof cell === 'string') return [cell];
  if (Array.isArray(cell) && cell[0] === 'set' && Array.isArray(cell[1])) return cell[1].filter((x): x is string => typeof x === 'string');
  return [];
}

/** An optional OVSDB value: unset is printed as the empty set `["set", []]`. */
export function optional(cell: unknown): unknown {
  return Array.isArray(cell) && cell[0] === 'set' && Array.isArray(cell[1]) && cell[1].length === 0 ? undefined : cell;
}

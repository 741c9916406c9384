// YAML with positions: every field of the parsed document can be located as file:line:column.
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { SourcePos } from '../model/topology.ts';

export interface Source {
  file: string;
  doc: Document;
  data: unknown;
  /** YAML syntax errors, already located. */
  syntaxErrors: { pos: SourcePos; message: string }[];
  locate(path: readonly (string | number)[]): SourcePos;
}

export function parseSource(text: string, file: string): Source {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const toPos = (offset: number): SourcePos => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const syntaxErrors = doc.errors.map((e) => ({ pos: toPos(e.pos[0]), message: e.message.split('\n')[0] ?? e.message }));
  const locate = (path: readonly (string | number)[]): SourcePos => {
    // Walk down as far as the path exists; report the deepest node found (a missing
    // key is reported at its parent). For a map entry, point at the key.
    let node: unknown = doc.contents;
    let best: SourcePos = { line: 1, column: 1 };
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
        if (!pair) break;
        const keyRange = (pair.key as { range?: [number, number, number] }).range;
        if (keyRange) best = toPos(keyRange[0]);
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number') {
        const item = node.items[key] as { range?: [number, number, number] } | undefined;
        if (!item) break;
        if (item.range) best = toPos(item.range[0]);
        node = item;
      } else break;
    }
    return best;
  };
  return { file, doc, data: doc.errors.length ? undefined : doc.toJS(), syntaxErrors, locate };
}

/** `topology.links[2].endpoints[0]` from ['topology','links',2,'endpoints',0]. */
export function fieldName(path: readonly (string | number)[]): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k), '') || '(document)';
}

import { describe, expect, it } from 'vitest';
import { fieldName, parseSource } from './source.ts';

describe('fieldName', () => {
  it('writes keys with dots and indexes in brackets', () => {
    expect(fieldName(['topology', 'links', 2, 'endpoints', 1])).toBe('topology.links[2].endpoints[1]');
  });
  it('names a single key plainly', () => {
    expect(fieldName(['name'])).toBe('name');
  });
  it('names the empty path as the document', () => {
    expect(fieldName([])).toBe('(document)');
  });
});

describe('parseSource', () => {
  const text = ['name: lab', 'topology:', '  nodes:', '    r1:', '      kind: linux', '  links:', '    - endpoints: ["r1:eth1", "r2:eth1"]', ''].join('\n');
  const src = parseSource(text, '/x/lab.clab.yml');

  it('returns the data as plain JavaScript', () => {
    expect(src.syntaxErrors).toEqual([]);
    expect(src.data).toEqual({ name: 'lab', topology: { nodes: { r1: { kind: 'linux' } }, links: [{ endpoints: ['r1:eth1', 'r2:eth1'] }] } });
  });

  it('locates a map entry at its key (1-based line and column)', () => {
    expect(src.locate(['topology', 'nodes', 'r1', 'kind'])).toEqual({ line: 5, column: 7 });
  });

  it('locates a sequence item at the item', () => {
    // Line 7 is `    - endpoints: ["r1:eth1", "r2:eth1"]`: the item starts at its opening quote.
    const line7 = text.split('\n')[6]!;
    expect(src.locate(['topology', 'links', 0, 'endpoints', 1])).toEqual({ line: 7, column: line7.indexOf('"r2') + 1 });
  });

  it('locates a missing field at its nearest existing parent', () => {
    expect(src.locate(['topology', 'nodes', 'r1', 'image'])).toEqual({ line: 4, column: 5 });
    expect(src.locate(['topology', 'links', 5])).toEqual({ line: 6, column: 3 });
  });

  it('locates the empty path at the start of the file', () => {
    expect(src.locate([])).toEqual({ line: 1, column: 1 });
  });

  it('reports syntax errors with their position and no data', () => {
    const bad = parseSource(['name: a', 'name: b', ''].join('\n'), 'f.yml');
    expect(bad.data).toBeUndefined();
    expect(bad.syntaxErrors).toHaveLength(1);
    expect(bad.syntaxErrors[0]!.pos).toEqual({ line: 2, column: 1 });
    expect(bad.syntaxErrors[0]!.message).toMatch(/unique/i);
  });
});

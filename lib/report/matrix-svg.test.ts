import { describe, expect, it } from 'vitest';
import { all, parseXml, svgDocumentProblems, type XmlElement } from '../../fixtures/xml-reader.ts';
import { cellColor, MATRIX_COLORS, matrixSvg, type MatrixCell } from './matrix-svg.ts';

const vms = ['vm1', 'vm2', 'vm3'];
const probes = ['icmp', 'tcp/22', 'tcp/5432'];

/** Every ordered pair of distinct VMs × every probe; vm1 → * tcp/22 intended allowed, the rest denied, then `flip` observed the other way. */
function acl(flip: (c: MatrixCell) => boolean = () => false): MatrixCell[] {
  return vms.flatMap((src) =>
    vms.filter((dst) => dst !== src).flatMap((dst) =>
      probes.map((column) => {
        const expected = src === 'vm1' && column === 'tcp/22' ? 'allow' : 'deny';
        const c: MatrixCell = { row: src, group: dst, column, expected, observed: expected, because: `rule for ${column}` };
        return flip(c) ? { ...c, observed: expected === 'allow' ? 'deny' : 'allow' } : c;
      }),
    ),
  );
}

/** Each drawn cell with the tooltip that names it. */
const drawn = (root: XmlElement) =>
  all(root, 'g')
    .filter((g) => g.children.some((c) => c.name === 'rect' && c.attrs.class === 'cell'))
    .map((g) => ({ rect: g.children.find((c) => c.name === 'rect')!, tip: g.children.find((c) => c.name === 'title')!.text, mark: g.children.find((c) => c.name === 'text')?.text }));

const differing = (c: MatrixCell) => c.expected !== c.observed;
const tipOf = (c: MatrixCell) => `${c.row} → ${c.group} ${c.column}: intended ${c.expected}, observed ${c.observed} (${c.because})`;

describe('matrixSvg', () => {
  it('is one well-formed <svg> document', () => {
    const svg = matrixSvg({ title: 'security groups', cells: acl() });
    expect(svgDocumentProblems(svg)).toEqual([]);
  });

  it('draws one cell per cell given, on a grid of sources × destination and probe, blank where nothing was probed', () => {
    const cells = acl();
    const d = drawn(parseXml(matrixSvg({ title: 't', cells })));
    expect(d).toHaveLength(cells.length); // 3 × 2 × 3
    expect(d.map((x) => x.tip).sort()).toEqual(cells.map(tipOf).sort());
    const pos = (tip: string) => d.find((x) => x.tip === tip)!.rect.attrs;
    const at = (src: string, dst: string, column: string) => pos(tipOf(cells.find((c) => c.row === src && c.group === dst && c.column === column)!));
    // A row per source: same y along a row, growing down.
    expect(at('vm1', 'vm2', 'icmp').y).toBe(at('vm1', 'vm3', 'tcp/5432').y);
    expect(Number(at('vm2', 'vm1', 'icmp').y)).toBeGreaterThan(Number(at('vm1', 'vm2', 'icmp').y));
    // A column per destination × probe: the destinations in the same order as the sources, probes in order under each.
    expect(at('vm2', 'vm1', 'icmp').x).toBe(at('vm3', 'vm1', 'icmp').x);
    const xs = ['vm1', 'vm2', 'vm3'].flatMap((dst) => probes.map((p) => Number(at(dst === 'vm1' ? 'vm2' : 'vm1', dst, p).x)));
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(new Set(xs).size).toBe(9);
    // The diagonal (vm1 → vm1) is blank: no cell drawn in vm1's row under vm1.
    expect(d.filter((x) => x.rect.attrs.y === at('vm1', 'vm2', 'icmp').y && Number(x.rect.attrs.x) < Number(at('vm1', 'vm2', 'icmp').x))).toHaveLength(0);
    const labels = all(parseXml(matrixSvg({ title: 't', cells })), 'text').map((t) => t.text);
    expect(labels).toEqual(expect.arrayContaining([...vms, ...probes]));
  });

  it('paints green allowed as intended and grey denied as intended', () => {
    expect(cellColor({ expected: 'allow', observed: 'allow' })).toBe(MATRIX_COLORS.allowed);
    expect(cellColor({ expected: 'deny', observed: 'deny' })).toBe(MATRIX_COLORS.denied);
    expect(cellColor({ expected: 'allow', observed: 'deny' })).toBe(MATRIX_COLORS.differs);
    expect(cellColor({ expected: 'deny', observed: 'allow' })).toBe(MATRIX_COLORS.differs);
    const d = drawn(parseXml(matrixSvg({ title: 't', cells: acl() })));
    const green = d.filter((x) => x.rect.attrs.fill === MATRIX_COLORS.allowed).map((x) => x.tip);
    expect(green.sort()).toEqual(acl().filter((c) => c.expected === 'allow').map(tipOf).sort());
    expect(d.filter((x) => x.rect.attrs.fill === MATRIX_COLORS.denied)).toHaveLength(acl().length - green.length);
  });

  it('paints red and outlines exactly the cells that differ, marked with what was observed', () => {
    // vm1 → vm2 tcp/22 denied though allowed; vm3 → vm1 tcp/5432 and vm2 → vm3 icmp allowed though denied.
    const flipped = (c: MatrixCell) => (c.row === 'vm1' && c.group === 'vm2' && c.column === 'tcp/22') || (c.row === 'vm3' && c.group === 'vm1' && c.column === 'tcp/5432') || (c.row === 'vm2' && c.group === 'vm3' && c.column === 'icmp');
    const cells = acl(flipped);
    const root = parseXml(matrixSvg({ title: 't', cells }));
    const d = drawn(root);
    const red = d.filter((x) => x.rect.attrs.fill === MATRIX_COLORS.differs);
    expect(red.map((x) => x.tip).sort()).toEqual(cells.filter(differing).map(tipOf).sort());
    expect(red).toHaveLength(3);
    const outlined = d.filter((x) => x.rect.attrs.stroke === '#000');
    expect(outlined.map((x) => x.tip).sort()).toEqual(red.map((x) => x.tip).sort());
    expect(outlined.every((x) => x.rect.attrs['stroke-width'] === '2')).toBe(true);
    expect(Object.fromEntries(red.map((x) => [x.tip.split(':')[0], x.mark]))).toEqual({ 'vm1 → vm2 tcp/22': 'D', 'vm3 → vm1 tcp/5432': 'A', 'vm2 → vm3 icmp': 'A' });
    expect(d.filter((x) => x.rect.attrs.fill !== MATRIX_COLORS.differs).every((x) => x.mark === undefined)).toBe(true);
    expect(all(root, 'text')[1]!.text).toMatch(/^18 cells: 15 as intended, 3 differ/);
  });

  it('has no red cell when everything behaves, and a legend naming all three colours', () => {
    const root = parseXml(matrixSvg({ title: 't', cells: acl() }));
    expect(drawn(root).filter((x) => x.rect.attrs.fill === MATRIX_COLORS.differs)).toHaveLength(0);
    const legend = all(root, 'rect').filter((r) => r.attrs.class === 'legend');
    expect(legend.map((r) => r.attrs.fill)).toEqual([MATRIX_COLORS.allowed, MATRIX_COLORS.denied, MATRIX_COLORS.differs]);
    const texts = all(root, 'text').map((t) => t.text);
    expect(texts).toEqual(expect.arrayContaining(['allowed, as intended', 'denied, as intended']));
    expect(texts.some((t) => t.startsWith('differs from the intent'))).toBe(true);
  });

  it('draws a matrix without groups (one column per destination), as the reachability suite’s', () => {
    const cells: MatrixCell[] = [
      { row: 'vm1', column: 'vm2', expected: 'allow', observed: 'allow' },
      { row: 'vm2', column: 'vm1', expected: 'allow', observed: 'deny' },
    ];
    const root = parseXml(matrixSvg({ title: 't', cells, words: { allow: 'reply', deny: 'no reply' } }));
    const d = drawn(root);
    expect(all(root, 'text').map((t) => t.text)).toEqual(expect.arrayContaining(['reply, as intended', 'no reply, as intended', 'differs from the intent: A reply (intended no reply), D no reply (intended reply)']));
    expect(d.map((x) => [x.tip, x.rect.attrs.fill])).toEqual([
      ['vm1 → vm2: intended allow, observed allow', MATRIX_COLORS.allowed],
      ['vm2 → vm1: intended allow, observed deny', MATRIX_COLORS.differs],
    ]);
    // vm1 is the first column as it is the first row.
    expect(Number(d[1]!.rect.attrs.x)).toBeLessThan(Number(d[0]!.rect.attrs.x));
  });

  it('escapes names and the title: the markup stays well-formed and the text reads back unchanged', () => {
    const cells: MatrixCell[] = [{ row: 'a<b', group: 'c&d', column: 'tcp/"1"', expected: 'deny', observed: 'allow', because: "egress <x> & 'y'" }];
    const svg = matrixSvg({ title: 'R&D <tenant>', cells });
    expect(svg).not.toContain('a<b');
    expect(svg).not.toContain('c&d');
    expect(svg).toContain('a&lt;b');
    const root = parseXml(svg); // throws on a bare < or &
    const texts = all(root, 'text').map((t) => t.text);
    expect(texts).toEqual(expect.arrayContaining(['R&D <tenant>', 'a<b', 'c&d', 'tcp/"1"']));
    expect(drawn(root)[0]!.tip).toBe(`a<b → c&d tcp/"1": intended deny, observed allow (egress <x> & 'y')`);
  });
});

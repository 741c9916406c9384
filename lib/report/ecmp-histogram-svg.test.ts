import { describe, expect, it } from 'vitest';
import { all, parseXml, svgDocumentProblems, type XmlElement } from '../../fixtures/xml-reader.ts';
import { chiSquareFit, chiSquareUniform } from '../stats/chi-square.ts';
import { chiSquareCaption, ecmpHistogramSvg, expectedFlows, type EcmpHistogramInput } from './ecmp-histogram-svg.ts';

const BAR = '#3a7';

const input = (over: Partial<EcmpHistogramInput> = {}): EcmpHistogramInput => {
  const histogram = [
    { path: 'leaf1:eth1 → spine1', flows: 300 },
    { path: 'leaf1:eth2 → spine2', flows: 150 },
    { path: 'leaf1:eth3 → spine3', flows: 62 },
  ];
  return { title: 'leaf1 → 10.0.0.21 (host3)', histogram, chiSquare: chiSquareUniform(histogram.map((h) => h.flows), 0.001 / 8), ...over };
};

const bars = (root: XmlElement) => all(root, 'rect').filter((r) => r.attrs.fill === BAR);
const expectedMarks = (root: XmlElement) => all(root, 'line').filter((l) => l.attrs['stroke-dasharray'] === '4 2');
const texts = (root: XmlElement) => all(root, 'text').map((t) => t.text);

describe('ecmpHistogramSvg', () => {
  it('is one well-formed <svg> document', () => {
    expect(svgDocumentProblems(ecmpHistogramSvg(input()))).toEqual([]);
  });

  it('draws one bar per path, in order, its length proportional to the flows', () => {
    const e = input();
    const root = parseXml(ecmpHistogramSvg(e));
    const b = bars(root);
    expect(b).toHaveLength(3);
    const widths = b.map((r) => Number(r.attrs.width));
    expect(widths[0]! / widths[1]!).toBeCloseTo(300 / 150, 2);
    expect(widths[0]! / widths[2]!).toBeCloseTo(300 / 62, 2);
    const ys = b.map((r) => Number(r.attrs.y));
    expect(ys[1]).toBeGreaterThan(ys[0]!);
    expect(ys[2]).toBeGreaterThan(ys[1]!);
    expect(new Set(b.map((r) => r.attrs.x)).size).toBe(1); // all from the same axis
    expect(texts(root)).toEqual(expect.arrayContaining(['leaf1:eth1 → spine1', 'leaf1:eth3 → spine3', '300 (58.6 %)', '62 (12.1 %)']));
  });

  it('marks the uniform share over every bar, at the flows a path should carry on the bars’ scale', () => {
    const root = parseXml(ecmpHistogramSvg(input()));
    const b = bars(root);
    const marks = expectedMarks(root);
    expect(marks).toHaveLength(3);
    expect(new Set(marks.map((m) => m.attrs.x1)).size).toBe(1); // uniform: one position
    // 512 / 3 flows expected per path: the mark sits where a bar of that many flows would end.
    const perFlow = Number(b[0]!.attrs.width) / 300;
    expect(Number(marks[0]!.attrs.x1) - Number(b[0]!.attrs.x)).toBeCloseTo((512 / 3) * perFlow, 1);
    for (const [i, m] of marks.entries()) {
      expect(m.attrs.x1).toBe(m.attrs.x2);
      expect(Number(m.attrs.y1)).toBeLessThanOrEqual(Number(b[i]!.attrs.y));
      expect(Number(m.attrs.y2)).toBeGreaterThanOrEqual(Number(b[i]!.attrs.y) + Number(b[i]!.attrs.height));
    }
    expect(texts(root).some((t) => t.includes('uniform, 1/3 each'))).toBe(true);
  });

  it('marks the weighted share when weights are given', () => {
    expect(expectedFlows([{ path: 'a', flows: 30 }, { path: 'b', flows: 30 }], [2, 1])).toEqual([40, 20]);
    expect(() => expectedFlows([{ path: 'a', flows: 1 }], [1, 1])).toThrow(/2 weights for 1 paths/);
    const root = parseXml(ecmpHistogramSvg(input({ weights: [2, 1, 1] })));
    const [m0, m1, m2] = expectedMarks(root).map((m) => Number(m.attrs.x1) - Number(bars(root)[0]!.attrs.x));
    expect(m0! / m1!).toBeCloseTo(2, 2);
    expect(m1).toBeCloseTo(m2!, 5);
    expect(texts(root).some((t) => t.includes('declared weights 2:1:1'))).toBe(true);
  });

  it('captions the chi-square statistic, critical value, α and verdict, in green on a pass and red on a fail', () => {
    const fail = input();
    const t = fail.chiSquare!;
    expect(t.pass).toBe(false);
    const caption = all(parseXml(ecmpHistogramSvg(fail)), 'text').at(-1)!;
    expect(caption.text).toBe(`χ² = ${t.statistic.toFixed(2)} > critical ${t.critical.toFixed(2)} (α = 0.00013, 2 dof, p = ${t.pValue.toPrecision(2)}): fail, uniform split rejected`);
    expect(caption.attrs.fill).toBe('#d33');
    const even = [{ path: 'a', flows: 260 }, { path: 'b', flows: 252 }];
    const pass = all(parseXml(ecmpHistogramSvg({ title: 'x', histogram: even, chiSquare: chiSquareUniform([260, 252], 0.001) })), 'text').at(-1)!;
    expect(pass.text).toMatch(/^χ² = 0\.13 ≤ critical 10\.83 \(α = 0\.0010, 1 dof, p = 0\.7[0-9]\): pass, uniform split not rejected$/);
    expect(pass.attrs.fill).toBe('#080');
  });

  it('says when no test could be run, and draws an unused path as an empty bar named in red', () => {
    expect(chiSquareCaption(undefined)).toMatch(/^no chi-square test/);
    // Weighted ECMP: the test was against the declared shares.
    expect(chiSquareCaption(chiSquareFit([300, 212], [0.75, 0.25], 0.001), true)).toMatch(/: fail, declared split rejected$/);
    const root = parseXml(ecmpHistogramSvg({ title: 'x', histogram: [{ path: 'a', flows: 0 }, { path: 'b', flows: 0 }] }));
    expect(bars(root).map((b) => Number(b.attrs.width))).toEqual([0, 0]);
    expect(all(root, 'text').filter((t) => t.attrs.fill === '#d33').map((t) => t.text)).toEqual(['a', '0 (unused)', 'b', '0 (unused)']);
  });

  it('escapes path names and the title: the markup stays well-formed and the text reads back unchanged', () => {
    const nasty = 'r<1>:eth&1 → "s"';
    const svg = ecmpHistogramSvg(input({ title: 'R&D <fabric>', histogram: [{ path: nasty, flows: 3 }, { path: 'ok', flows: 4 }], chiSquare: undefined }));
    expect(svg).not.toContain('<fabric>');
    expect(svg).not.toContain('r<1>');
    expect(svg).toContain('r&lt;1&gt;:eth&amp;1');
    const t = texts(parseXml(svg)); // throws on a bare < or &
    expect(t).toContain('R&D <fabric>');
    expect(t).toContain(nasty);
  });
});

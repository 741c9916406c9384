import { describe, expect, it } from 'vitest';
import { all, parseXml, svgDocumentProblems, type XmlElement } from '../../fixtures/xml-reader.ts';
import { convergenceScale, convergenceSvg, seconds, seriesPoints, stepLine, type ConvergenceCurveInput } from './convergence-svg.ts';

const input = (over: Partial<ConvergenceCurveInput> = {}): ConvergenceCurveInput => ({
  title: 'deploy of fabric',
  // Out of order on purpose.
  samples: [
    { t: 20, sessionsEstablished: 8, routesInstalled: 150 },
    { t: 5, sessionsEstablished: 2, routesInstalled: 10 },
    { t: 0, sessionsEstablished: 0, routesInstalled: 0 },
    { t: 30, sessionsEstablished: 8, routesInstalled: 200 },
    { t: 10, sessionsEstablished: 6, routesInstalled: 40 },
  ],
  sessionsExpected: 8,
  routesExpected: 200,
  budgetS: 60,
  convergedAtS: 30,
  ...over,
});

const polyline = (root: XmlElement, key: string) => all(root, 'polyline').find((p) => p.attrs.class === `series ${key}`);
const points = (p: XmlElement) => p.attrs.points!.split(' ').map((xy) => xy.split(',').map(Number) as [number, number]);
const texts = (root: XmlElement) => all(root, 'text').map((t) => t.text);
/** The y of the gridline labelled `label` (e.g. `100 %`). */
const gridY = (root: XmlElement, label: string) => Number(all(root, 'text').find((t) => t.text === label)!.attrs.y) - 4;

describe('convergenceSvg', () => {
  it('is one well-formed <svg> document with both series drawn', () => {
    const svg = convergenceSvg(input());
    expect(svgDocumentProblems(svg)).toEqual([]);
    const root = parseXml(svg);
    expect(polyline(root, 'sessionsEstablished')).toBeDefined();
    expect(polyline(root, 'routesInstalled')).toBeDefined();
    expect(texts(root)).toEqual(expect.arrayContaining(['sessions established: 8 / 8', 'routes installed: 200 / 200']));
  });

  it('sorts the samples by time and steps after each: a count holds until the next sample', () => {
    expect(seriesPoints(input().samples, 'sessionsEstablished')).toEqual([[0, 0], [5, 2], [10, 6], [20, 8], [30, 8]]);
    expect(stepLine([[0, 0], [5, 2], [10, 6]], 12)).toEqual([[0, 0], [5, 0], [5, 2], [10, 2], [10, 6], [12, 6]]);
    const pts = points(polyline(parseXml(convergenceSvg(input())), 'routesInstalled')!);
    for (let i = 1; i < pts.length; i++) {
      expect(pts[i]![0]).toBeGreaterThanOrEqual(pts[i - 1]![0]); // time only goes forward
      expect(pts[i]![0] === pts[i - 1]![0] || pts[i]![1] === pts[i - 1]![1]).toBe(true); // only horizontal or vertical steps
    }
  });

  it('scales each series to 100 % at its expected count', () => {
    const c = input();
    const scale = convergenceScale(c);
    expect(scale.unit).toBe('%');
    expect(scale.value('sessionsEstablished', 8)).toBe(100);
    expect(scale.value('routesInstalled', 200)).toBe(100);
    expect(scale.value('routesInstalled', 50)).toBe(25);
    expect(scale.top).toBe(100);
    const root = parseXml(convergenceSvg(c));
    const at100 = gridY(root, '100 %');
    const at0 = gridY(root, '0 %');
    expect(points(polyline(root, 'sessionsEstablished')!).at(-1)![1]).toBeCloseTo(at100, 0);
    expect(points(polyline(root, 'routesInstalled')!).at(-1)![1]).toBeCloseTo(at100, 0);
    expect(points(polyline(root, 'routesInstalled')!)[0]![1]).toBeCloseTo(at0, 0);
    // Routes at 150 of 200 sit three quarters of the way up.
    const routes = points(polyline(root, 'routesInstalled')!);
    expect(routes.some(([, py]) => Math.abs(py - (at0 + 0.75 * (at100 - at0))) < 0.1)).toBe(true);
  });

  it('goes past 100 % when a count exceeds what was expected, and draws raw counts when nothing is expected', () => {
    expect(convergenceScale(input({ routesExpected: 160 })).top).toBe(125);
    const raw = input({ sessionsExpected: undefined, routesExpected: undefined });
    const scale = convergenceScale(raw);
    expect(scale.unit).toBe('count');
    expect(scale.value('routesInstalled', 123)).toBe(123);
    expect(scale.top).toBeGreaterThanOrEqual(200);
    const root = parseXml(convergenceSvg(raw));
    expect(texts(root)).toContain('sessions established: 8 (no expected count)');
    expect(svgDocumentProblems(convergenceSvg(raw))).toEqual([]);
    // Only one expected: the other series is a share of its own highest count, and says so.
    const mixed = convergenceScale(input({ routesExpected: undefined }));
    expect(mixed.unit).toBe('%');
    expect(mixed.value('routesInstalled', 200)).toBe(100);
    expect(texts(parseXml(convergenceSvg(input({ routesExpected: undefined }))))).toContain('routes installed: 200 (no expected count; 100 % = its highest, 200)');
  });

  it('labels the budget line and the converged mark with their values', () => {
    const root = parseXml(convergenceSvg(input({ budgetS: 90, convergedAtS: 42.7 })));
    const budget = all(root, 'g').find((g) => g.attrs.class === 'budget')!;
    expect(all(budget, 'text')[0]!.text).toBe('budget 90 s');
    expect(all(budget, 'line')[0]!.attrs['stroke-dasharray']).toBeTruthy();
    const converged = all(root, 'g').find((g) => g.attrs.class === 'converged')!;
    expect(all(converged, 'text')[0]!.text).toBe('converged 42.7 s');
    // The x axis reaches the budget even past the last sample, and the mark sits in time order.
    expect(Number(all(budget, 'line')[0]!.attrs.x1)).toBeGreaterThan(Number(all(converged, 'line')[0]!.attrs.x1));
    expect(texts(root).some((t) => t.includes('converged at 42.7 s, within the 90 s budget'))).toBe(true);
    expect(seconds(0.25)).toBe('0.25');
    expect(seconds(120)).toBe('120');
  });

  it('marks a late convergence red', () => {
    const root = parseXml(convergenceSvg(input({ budgetS: 20, convergedAtS: 30 })));
    const converged = all(root, 'g').find((g) => g.attrs.class === 'converged')!;
    expect(all(converged, 'line')[0]!.attrs.stroke).toBe('#d33');
    expect(texts(root).some((t) => t.includes('over the 20 s budget'))).toBe(true);
  });

  it('says "no samples" and stays valid when there are none', () => {
    const svg = convergenceSvg({ title: 'nothing yet', samples: [], budgetS: 60 });
    expect(svgDocumentProblems(svg)).toEqual([]);
    const root = parseXml(svg);
    expect(texts(root)).toEqual(expect.arrayContaining(['no samples', 'budget 60 s', 'sessions established: no sample']));
    expect(all(root, 'polyline')).toEqual([]);
    expect(svgDocumentProblems(convergenceSvg({ title: 'bare', samples: [] }))).toEqual([]);
  });

  it('leaves a series out when no sample has it', () => {
    const c = input({ samples: [{ t: 3, routesInstalled: 100 }, { t: 1, routesInstalled: 20 }, { t: 2 }] });
    const root = parseXml(convergenceSvg(c));
    expect(polyline(root, 'sessionsEstablished')).toBeUndefined();
    expect(points(polyline(root, 'routesInstalled')!)).toHaveLength(3); // 1 → 3 s: two samples, one step
    expect(texts(root)).toContain('sessions established: no sample');
    expect(svgDocumentProblems(convergenceSvg(c))).toEqual([]);
  });

  it('escapes the title', () => {
    const svg = convergenceSvg(input({ title: 'R&D <lab> "x"' }));
    expect(svgDocumentProblems(svg)).toEqual([]);
    expect(svg).not.toContain('<lab>');
    expect(texts(parseXml(svg))).toContain('R&D <lab> "x"');
  });
});

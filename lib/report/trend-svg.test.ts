import { describe, expect, test } from 'vitest';
import { all, parseXml, svgDocumentProblems } from '../../fixtures/xml-reader.ts';
import { trendPoints, trendSvg, type TrendSeries } from './trend-svg.ts';

const conv: TrendSeries = { name: 'convergence_s', unit: 's', values: [2, undefined, 3, 2.5] };
const loss: TrendSeries = { name: 'loss_window_ms', unit: 'ms', values: [100, 120], budget: 900 };
const over: TrendSeries = { name: 'detect_ms', unit: 'ms', values: [300, 1000], budget: 900 };

const texts = (svg: string) => all(parseXml(svg), 'text');
const labelOf = (svg: string, startsWith: string) => texts(svg).find((t) => t.text.startsWith(startsWith));

describe('trendSvg', () => {
  test('is one well-formed <svg> document', () => {
    expect(svgDocumentProblems(trendSvg({ title: 'trends', series: [conv, loss, over] }))).toEqual([]);
    expect(svgDocumentProblems(trendSvg({ title: 'trends', series: [] }))).toEqual([]);
  });

  test('says so when there is no series', () => {
    expect(texts(trendSvg({ title: 'trends', series: [] })).map((t) => t.text)).toEqual(['trends', 'no timed figure has an earlier run to compare with yet']);
    expect(texts(trendSvg({ title: 'trends', series: [conv] })).map((t) => t.text)).not.toContain('no timed figure has an earlier run to compare with yet');
  });

  test('names each series and labels its last value with the change from the run before', () => {
    const svg = trendSvg({ title: 'trends', series: [conv, loss] });
    const t = texts(svg).map((x) => x.text);
    expect(t).toEqual(expect.arrayContaining(['convergence_s', '2.5 s (-0.5)', 'loss_window_ms', '120 ms (+20)']));
  });

  test('the last value is red over its budget and dark otherwise', () => {
    const svg = trendSvg({ title: 'trends', series: [loss, over] });
    expect(labelOf(svg, '1000 ms')!.attrs.fill).toBe('#d33');
    expect(labelOf(svg, '120 ms')!.attrs.fill).toBe('#222');
  });

  test('a dashed budget line only for a series with a budget', () => {
    const lines = (s: TrendSeries) => all(parseXml(trendSvg({ title: 't', series: [s] })), 'line');
    expect(lines(conv)).toEqual([]);
    const [line, ...rest] = lines(loss);
    expect(rest).toEqual([]);
    expect(line!.attrs).toMatchObject({ stroke: '#d33', 'stroke-dasharray': '4 3' });
    // The budget is the top of the chart: y at the top of the plot area (row 30 + PAD.top 20).
    expect(line!.attrs.y1).toBe('50.0');
  });

  test('draws a circle per measured run and a line through them', () => {
    const root = parseXml(trendSvg({ title: 't', series: [conv] }));
    expect(all(root, 'circle')).toHaveLength(3);
    expect(all(root, 'polyline')[0]!.attrs.points!.split(' ')).toHaveLength(3);
  });

  test('escapes a figure name with < and &', () => {
    const svg = trendSvg({ title: 'a & <b>', series: [{ name: 'loss <leaf1 & spine1>', unit: 'ms', values: [1, 2] }] });
    expect(svgDocumentProblems(svg)).toEqual([]);
    expect(texts(svg).map((t) => t.text)).toEqual(expect.arrayContaining(['a & <b>', 'loss <leaf1 & spine1>']));
    expect(all(parseXml(svg), 'title')[0]!.text).toBe('loss <leaf1 & spine1>: 1, 2 ms');
  });
});

describe('trendPoints', () => {
  test('maps values to y from 0 at the bottom to the largest value at the top', () => {
    expect(trendPoints({ values: [0, 5, 10] }, 100, 50)).toEqual([
      { x: 0, y: 50, value: 0 },
      { x: 50, y: 25, value: 5 },
      { x: 100, y: 0, value: 10 },
    ]);
  });

  test('the top is the budget when it is above every value', () => {
    expect(trendPoints({ values: [10, 20], budget: 40 }, 10, 40).map((p) => p.y)).toEqual([30, 20]);
  });

  test('skips runs that did not measure it, keeping x by run index', () => {
    expect(trendPoints({ values: [4, undefined, 8] }, 20, 8)).toEqual([
      { x: 0, y: 4, value: 4 },
      { x: 20, y: 0, value: 8 },
    ]);
  });

  test('a single run is centred', () => {
    expect(trendPoints({ values: [3] }, 20, 8)).toEqual([{ x: 10, y: 0, value: 3 }]);
  });
});

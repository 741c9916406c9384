import { describe, expect, it } from 'vitest';
import { all, parseXml, svgDocumentProblems } from '../../fixtures/xml-reader.ts';
import { timelineSvg, type TimelineInput } from './timeline-svg.ts';

// The reader the SVG tests share (fixtures/xml-reader.ts), checked here so a pass means something.
describe('the tests’ XML reader (so a pass below means something)', () => {
  it.each([
    ['<svg><rect></svg>', /closes <rect>/],
    ['<svg><text>a < b</text></svg>', /without a name/],
    ['<svg><text>a & b</text></svg>', /bare "&"/],
    ['<svg x=1/>', /malformed attribute/],
    ['<svg x="1" x="2"/>', /repeated/],
    ['<svg/><svg/>', /second root/],
    ['<svg><g>', /unclosed/],
  ])('rejects %s', (xml, error) => {
    expect(() => parseXml(xml)).toThrow(error);
  });

  it('decodes entities in text and attributes', () => {
    const el = parseXml('<svg a="&quot;x&quot;"><text>&lt;a&amp;b&gt;</text></svg>');
    expect(el.attrs.a).toBe('"x"');
    expect(el.children[0]!.text).toBe('<a&b>');
  });
});

const RED = '#d33';

const input = (over: Partial<TimelineInput> = {}): TimelineInput => ({
  title: 'leaf1:eth1 down',
  bucketMs: 100,
  // 1000 pps for 2 s: 100 per bucket, a hole from 0.6 s to 1.0 s and a partial bucket either side.
  buckets: [100, 100, 100, 100, 100, 40, 0, 0, 0, 0, 70, 100, 100, 100, 100, 100, 100, 100, 100, 100],
  expectedPerBucket: 100,
  marks: [
    { atMs: 540, label: 'fault', color: '#c00' },
    { atMs: 960, label: 'BFD down', color: '#06c' },
    { atMs: 1_500, label: 'restore', color: '#080' },
  ],
  ...over,
});

describe('timelineSvg', () => {
  it('is one well-formed <svg> document', () => {
    expect(svgDocumentProblems(timelineSvg(input()))).toEqual([]);
  });

  it('draws the background and one bar per bucket, in bucket order, the bar height growing with the count', () => {
    const t = input();
    const rects = all(parseXml(timelineSvg(t)), 'rect');
    expect(rects).toHaveLength(t.buckets.length + 1);
    const [background, ...bars] = rects;
    expect(background!.attrs).toMatchObject({ width: '900', height: '320', fill: 'white' });
    const xs = bars.map((b) => Number(b.attrs.x));
    for (let i = 1; i < xs.length; i++) expect(xs[i]).toBeGreaterThan(xs[i - 1]!);
    const height = (i: number) => Number(bars[i]!.attrs.height);
    expect(height(6)).toBe(0); // an empty bucket
    expect(height(5)).toBeGreaterThan(0); // 40
    expect(height(10)).toBeGreaterThan(height(5)); // 70 > 40
    expect(height(0)).toBeGreaterThan(height(10)); // 100 > 70
    expect(height(0)).toBe(height(19));
  });

  it('paints exactly the empty buckets red', () => {
    const t = input();
    const bars = all(parseXml(timelineSvg(t)), 'rect').slice(1);
    const red = bars.flatMap((b, i) => (b.attrs.fill === RED ? [i] : []));
    expect(red).toEqual([6, 7, 8, 9]);
    expect(bars.filter((b) => b.attrs.fill !== RED).every((b) => b.attrs.fill === '#3a7')).toBe(true);
  });

  it('has no red bar when nothing was lost, and only red bars when nothing arrived', () => {
    const none = all(parseXml(timelineSvg(input({ buckets: [100, 100, 100] }))), 'rect').slice(1);
    expect(none.filter((b) => b.attrs.fill === RED)).toHaveLength(0);
    const allLost = all(parseXml(timelineSvg(input({ buckets: [0, 0, 0] }))), 'rect').slice(1);
    expect(allLost.map((b) => b.attrs.fill)).toEqual([RED, RED, RED]);
  });

  it('draws one dashed line in the mark’s colour and one label per mark, over the bucket the mark falls in', () => {
    const t = input();
    const root = parseXml(timelineSvg(t));
    const markLines = all(root, 'line').filter((l) => l.attrs['stroke-dasharray'] === '4 3');
    expect(markLines).toHaveLength(t.marks.length);
    const bars = all(root, 'rect').slice(1);
    const barX = (i: number) => Number(bars[i]!.attrs.x);
    for (const [i, m] of t.marks.entries()) {
      const line = markLines[i]!;
      expect(line.attrs.stroke).toBe(m.color);
      expect(line.attrs.x1).toBe(line.attrs.x2); // vertical
      const bucket = Math.floor(m.atMs / t.bucketMs);
      expect(Number(line.attrs.x1), m.label).toBeGreaterThanOrEqual(barX(bucket));
      expect(Number(line.attrs.x1), m.label).toBeLessThan(barX(bucket + 1));
      const labels = all(root, 'text').filter((x) => x.attrs.fill === m.color);
      expect(labels.map((x) => x.text)).toEqual([`${m.label} (${(m.atMs / 1000).toFixed(3)} s)`]);
    }
  });

  it('draws no mark line and no mark label without marks', () => {
    const root = parseXml(timelineSvg(input({ marks: [] })));
    expect(all(root, 'line').filter((l) => l.attrs['stroke-dasharray'] === '4 3')).toHaveLength(0);
    expect(all(root, 'text').filter((x) => x.attrs.fill !== undefined)).toHaveLength(0);
  });

  it('escapes labels and the title: the markup stays well-formed and the text reads back unchanged', () => {
    const nasty = 'leaf1 <a&b> "down"';
    const svg = timelineSvg(input({ title: 'R&D <fabric>', marks: [{ atMs: 500, label: nasty, color: '#c00' }] }));
    expect(svg).not.toContain('<a&b>');
    expect(svg).not.toContain('<fabric>');
    expect(svg).toContain('&lt;a&amp;b&gt;');
    const root = parseXml(svg); // throws on a bare < or &
    const texts = all(root, 'text').map((x) => x.text);
    expect(texts).toContain('R&D <fabric>');
    expect(texts).toContain(`${nasty} (0.500 s)`);
  });

  it('labels the y axis with the bucket size', () => {
    const texts = all(parseXml(timelineSvg(input({ bucketMs: 50 }))), 'text').map((x) => x.text);
    expect(texts).toContain('packets per 50 ms');
  });
});

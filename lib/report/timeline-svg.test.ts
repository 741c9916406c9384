import { describe, expect, it } from 'vitest';
import { timelineSvg, type TimelineInput } from './timeline-svg.ts';

// Node has no DOMParser: a small, strict XML reader that is enough for the SVG we emit. It
// throws on anything not well-formed (unbalanced or crossed tags, unquoted or repeated
// attributes, a bare `<` or `&`, more than one root) and returns the element tree with text
// and attribute values decoded.
interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(raw: string, where: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '<') throw new Error(`bare "<" in ${where}`);
    if (c !== '&') {
      out += c;
      continue;
    }
    const end = raw.indexOf(';', i);
    const name = end < 0 ? '' : raw.slice(i + 1, end);
    if (name in ENTITIES) out += ENTITIES[name];
    else if (/^#[0-9]+$/.test(name)) out += String.fromCodePoint(Number(name.slice(1)));
    else throw new Error(`bare "&" in ${where}: ${raw.slice(i, i + 12)}`);
    i = end;
  }
  return out;
}

function parseXml(xml: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  const isNameChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_:.-]/.test(c);
  while (i < xml.length) {
    if (xml[i] !== '<') {
      const next = xml.indexOf('<', i);
      const text = xml.slice(i, next < 0 ? xml.length : next);
      if (!stack.length) {
        if (text.trim()) throw new Error(`text outside the root element: ${JSON.stringify(text.slice(0, 40))}`);
      } else stack.at(-1)!.text += decode(text, `text of <${stack.at(-1)!.name}>`);
      i = next < 0 ? xml.length : next;
      continue;
    }
    if (xml[i + 1] === '/') {
      const end = xml.indexOf('>', i);
      const name = xml.slice(i + 2, end).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`</${name}> closes ${open ? `<${open.name}>` : 'nothing'}`);
      i = end + 1;
      continue;
    }
    let j = i + 1;
    while (isNameChar(xml[j])) j++;
    const el: XmlElement = { name: xml.slice(i + 1, j), attrs: {}, children: [], text: '' };
    if (!el.name) throw new Error(`a tag without a name at offset ${i}`);
    let selfClosing = false;
    for (;;) {
      while (/\s/.test(xml[j] ?? '')) j++;
      if (xml[j] === '>') {
        j++;
        break;
      }
      if (xml.startsWith('/>', j)) {
        selfClosing = true;
        j += 2;
        break;
      }
      const nameStart = j;
      while (isNameChar(xml[j])) j++;
      const attr = xml.slice(nameStart, j);
      if (!attr || xml[j] !== '=' || xml[j + 1] !== '"') throw new Error(`<${el.name}>: malformed attribute at ${JSON.stringify(xml.slice(nameStart, nameStart + 30))}`);
      const close = xml.indexOf('"', j + 2);
      if (close < 0) throw new Error(`<${el.name} ${attr}>: unterminated value`);
      if (attr in el.attrs) throw new Error(`<${el.name}>: attribute ${attr} repeated`);
      el.attrs[attr] = decode(xml.slice(j + 2, close), `<${el.name} ${attr}>`);
      j = close + 1;
    }
    if (stack.length) stack.at(-1)!.children.push(el);
    else if (root) throw new Error(`a second root element <${el.name}>`);
    else root = el;
    if (!selfClosing) stack.push(el);
    i = j;
  }
  if (stack.length) throw new Error(`unclosed <${stack.map((e) => e.name).join('> <')}>`);
  if (!root) throw new Error('no element');
  return root;
}

describe('the test’s XML reader (so a pass below means something)', () => {
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

const all = (el: XmlElement, name: string): XmlElement[] => [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => all(c, name))];
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
    const svg = timelineSvg(input());
    expect(svg.startsWith('<svg ')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    const root = parseXml(svg);
    expect(root.name).toBe('svg');
    expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
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

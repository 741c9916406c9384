import { describe, expect, it } from 'vitest';
import { parseXml } from '../../fixtures/xml-reader.ts';
import { escapeXml } from './escape-xml.ts';

describe('escapeXml', () => {
  it('escapes the five XML specials, & first so nothing is escaped twice', () => {
    expect(escapeXml(`a<b>&"c"'d'`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;');
    expect(escapeXml('&lt;')).toBe('&amp;lt;');
  });

  it('reads back unchanged as text and as an attribute value', () => {
    const name = `leaf1 <a&b> "x" 'y' → spine1`;
    const el = parseXml(`<svg a="${escapeXml(name)}"><text>${escapeXml(name)}</text></svg>`);
    expect(el.attrs.a).toBe(name);
    expect(el.children[0]!.text).toBe(name);
  });

  it('replaces the control characters XML 1.0 forbids, and keeps tab and newline', () => {
    expect(escapeXml('a\u0000b\u001bc\td\ne')).toBe('a\uFFFDb\uFFFDc\td\ne');
  });
});

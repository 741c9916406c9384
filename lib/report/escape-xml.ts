// Text from user topologies (node, VM, interface names) goes into the SVG reports: escaped here
// so a `<` or `&` in a name can neither break the markup nor inject any. Pure.

const ENTITY: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' };

/**
 * `s` safe as XML text and as a quoted attribute value. Control characters XML 1.0 forbids
 * (everything below U+0020 but tab, newline and carriage return) become U+FFFD: a parser would
 * reject the whole picture for one of them.
 */
export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ENTITY[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '\uFFFD');
}

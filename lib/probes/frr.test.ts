import { describe, expect, it } from 'vitest';
import { jsonDocuments, showJsonAll } from './frr.ts';

describe('jsonDocuments: the outputs of several vtysh -c … json commands, one after another', () => {
  it('splits an array and nested objects printed back to back, as vtysh prints them', () => {
    const text = '[\n  {\n    "peer":"10.1.0.1",\n    "status":"up"\n  }\n]\n{\n"ipv4Unicast":{\n  "as":65000\n}\n}\n{}\n[\n]\n';
    expect(jsonDocuments(text)).toEqual([[{ peer: '10.1.0.1', status: 'up' }], { ipv4Unicast: { as: 65000 } }, {}, []]);
  });

  it('is not misled by brackets and escaped quotes inside strings', () => {
    expect(jsonDocuments('{"a":"} ] \\" {"}{"b":["[",1]}')).toEqual([{ a: '} ] " {' }, { b: ['[', 1] }]);
  });

  it('refuses text that is not JSON between documents (a daemon not running), naming where', () => {
    expect(() => jsonDocuments('{}\n% bgpd is not running\n{}')).toThrow(/not JSON at offset 3 of vtysh output: % bgpd is not running/);
  });

  it('refuses output cut inside a value', () => {
    expect(() => jsonDocuments('{"a":[1,2')).toThrow(/ends inside a JSON value/);
    expect(() => jsonDocuments('{}]')).toThrow(/unbalanced/);
  });
});

describe('showJsonAll', () => {
  const reader = (answers: Record<string, string>) => ({ show: async (daemon: string, c: string) => answers[`${daemon} ${c}`] ?? '', ipJson: async () => '', close: async () => {} });
  const node = { name: 'leaf1' } as Parameters<typeof showJsonAll>[0];

  it("asks each command of its daemon and parses the answers in the commands' order", async () => {
    const r = reader({ 'bgpd show bgp summary json': '{"ipv4Unicast":{}}', 'bfdd show bfd peers json': '[]' });
    expect(await showJsonAll(node, r, ['show bfd peers json', 'show bgp summary json'])).toEqual([[], { ipv4Unicast: {} }]);
  });

  it('names the node and the command when an answer is not JSON', async () => {
    await expect(showJsonAll(node, reader({ 'zebra show ip route json': '% Unknown command' }), ['show ip route json'])).rejects.toThrow(/leaf1: 'show ip route json' did not print JSON/);
  });
});

import { describe, expect, it } from 'vitest';
import { jsonDocuments } from './frr.ts';

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

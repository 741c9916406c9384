import { describe, expect, it } from 'vitest';
import { equalCostCandidates } from './collect.ts';

describe('equalCostCandidates', () => {
  it('keeps every valid path as short as the best, whichever BGP picked', () => {
    const routes = {
      '10.255.0.1/32': [
        { valid: true, path: '65102 65000', nexthops: [{ ip: '10.1.0.18' }] },
        { valid: true, bestpath: true, path: '65101 65000', nexthops: [{ ip: '10.1.0.16' }] },
      ],
      '10.255.1.1/32': [
        { valid: true, path: '65102 65000 65101', nexthops: [{ ip: '10.1.0.18' }] },
        { valid: true, bestpath: true, path: '65101', nexthops: [{ ip: '10.1.0.16' }] },
      ],
      '10.255.2.1/32': [{ valid: true, bestpath: true, path: '', nexthops: [{ ip: '0.0.0.0' }] }],
      '10.255.9.9/32': [{ valid: false, path: '65101', nexthops: [{ ip: '10.1.0.16' }] }],
    };
    expect(equalCostCandidates(routes)).toEqual(
      new Map([
        ['10.255.0.1/32', ['10.1.0.18', '10.1.0.16']],
        ['10.255.1.1/32', ['10.1.0.16']],
        ['10.255.2.1/32', ['0.0.0.0']],
      ]),
    );
  });
});

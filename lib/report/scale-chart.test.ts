import { describe, expect, it } from 'vitest';
import { scaleChartSpec, scaleChartSvg } from './scale-chart.ts';

const points = [
  { routers: 14, who: 'netproof', deployS: 3.1, convergeS: 6.2, idleRssPerRouterMiB: 40.5 },
  { routers: 14, who: 'hand-wired FRR', deployS: 2.5, convergeS: 5.9, idleRssPerRouterMiB: 44 },
];

describe('the scale chart', () => {
  it('plots deploy and convergence seconds per who, and memory per router', () => {
    const spec = scaleChartSpec(points, 'scale') as unknown as { hconcat: { data: { values: { series: string; value: number }[] } }[] };
    expect(spec.hconcat[0]!.data.values).toEqual([
      { routers: 14, series: 'netproof: converged', value: 6.2 },
      { routers: 14, series: 'netproof: deployed', value: 3.1 },
      { routers: 14, series: 'hand-wired FRR: converged', value: 5.9 },
      { routers: 14, series: 'hand-wired FRR: deployed', value: 2.5 },
    ]);
    expect(spec.hconcat[1]!.data.values.map((v) => v.value)).toEqual([40.5, 44]);
  });

  it('draws no convergence point for a fabric that never converged', () => {
    const spec = scaleChartSpec([{ ...points[1]!, routers: 200, convergeS: null }], 'scale') as unknown as { hconcat: { data: { values: { series: string }[] } }[] };
    expect(spec.hconcat[0]!.data.values.map((v) => v.series)).toEqual(['hand-wired FRR: deployed']);
  });

  it('renders an SVG with its title and legend', async () => {
    const svg = await scaleChartSvg(points, 'netproof at scale');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('netproof at scale');
    expect(svg).toContain('hand-wired FRR: converged');
  });
});

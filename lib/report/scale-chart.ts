// The scale curve as an SVG image: seconds to deploy and to converge, and idle memory per
// router, against the number of FRR routers, for netproof and for hand-wired FRR measured in
// the same run. Drawn by Vega-Lite (no browser: Vega renders SVG in Node).
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface ScalePoint {
  routers: number;
  /** "netproof" or "hand-wired FRR". */
  who: string;
  deployS: number;
  /** null: did not converge (no point drawn). */
  convergeS: number | null;
  idleRssPerRouterMiB: number;
}

/** The Vega-Lite specification: two panels side by side, one line per who and measure. */
export function scaleChartSpec(points: readonly ScalePoint[], title: string): TopLevelSpec {
  const seconds = points.flatMap((p) => [
    ...(p.convergeS === null ? [] : [{ routers: p.routers, series: `${p.who}: converged`, value: p.convergeS }]),
    { routers: p.routers, series: `${p.who}: deployed`, value: p.deployS },
  ]);
  const memory = points.map((p) => ({ routers: p.routers, series: p.who, value: p.idleRssPerRouterMiB }));
  const x = { field: 'routers', type: 'quantitative', title: 'FRR routers' } as const;
  const line = { type: 'line', point: true } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    background: 'white',
    // Each panel its own colours and legend; labels in full.
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
    config: { legend: { labelLimit: 320 } },
    hconcat: [
      { width: 420, height: 260, title: 'seconds from deploy start', data: { values: seconds }, mark: line, encoding: { x, y: { field: 'value', type: 'quantitative', title: 's' }, color: { field: 'series', type: 'nominal', title: null } } },
      { width: 320, height: 260, title: 'idle RSS per router', data: { values: memory }, mark: line, encoding: { x, y: { field: 'value', type: 'quantitative', title: 'MiB' }, color: { field: 'series', type: 'nominal', title: null } } },
    ],
  } as TopLevelSpec;
}

export async function scaleChartSvg(points: readonly ScalePoint[], title: string): Promise<string> {
  const view = new vega.View(vega.parse(compile(scaleChartSpec(points, title)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

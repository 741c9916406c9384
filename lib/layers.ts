// netproof's layers, bottom to top. A module may import from its own layer and the layers
// below it, never from one above: lib/layers.test.ts fails on every import that runs back up
// (as Playwright checks its DEPS.list). Pure before impure: model, load, plan and render touch
// no host; exec is the only host access below the runtimes; assertions never see a runtime.

export interface Layer {
  name: string;
  /** Folders, or single files, relative to the project root. A file belongs to the longest path that holds it. */
  paths: readonly string[];
}

export const LAYERS: readonly Layer[] = [
  // What every layer may use: exit-coded errors, name rules, the project root, the poller; and this check.
  { name: 'core', paths: ['lib/errors.ts', 'lib/names.ts', 'lib/paths.ts', 'lib/wait-for.ts', 'lib/layers.ts', 'lib/layer-check.ts'] },
  // The resolved lab: topology and overlay, plain data.
  { name: 'model', paths: ['lib/model'] },
  // The clab file and its overlay sidecar, read and validated.
  { name: 'load', paths: ['lib/topology'] },
  { name: 'plan', paths: ['lib/plan'] },
  // Text and argv from model and plan: frr.conf, daemons, OVS/OVN steps, NB commands, export.
  { name: 'render', paths: ['lib/render', 'lib/generate.ts'] },
  { name: 'exec', paths: ['lib/exec.ts'] },
  // StartedLab / NodeHandle: all that probes and suites see of a running lab.
  { name: 'lab', paths: ['lib/lab'] },
  { name: 'runtime', paths: ['lib/runtime'] },
  // The overlay intent put into a started lab.
  { name: 'overlay', paths: ['lib/overlay'] },
  // loadLab(file) → Lab → start({ runtime }) → StartedLab: the one way a lab is brought up.
  { name: 'lifecycle', paths: ['lib/lifecycle'] },
  { name: 'probes', paths: ['lib/probes', 'lib/faults', 'lib/traffic', 'lib/stats'] },
  // Assertions: culprit-naming comparisons of what probes saw with what the plan expects.
  { name: 'expect', paths: ['lib/expect'] },
  // Live state normalised into a snapshot; two snapshots diffed (pure).
  { name: 'state', paths: ['lib/state'] },
  { name: 'report', paths: ['lib/report'] },
  { name: 'testkit', paths: ['lib/testkit'] },
  { name: 'cli', paths: ['lib/cli'] },
  { name: 'bench', paths: ['lib/bench'] },
  { name: 'fixtures', paths: ['fixtures'] },
  { name: 'suites', paths: ['suites'] },
];

/** The index in `layers` of the layer a file belongs to, or undefined if none holds it. */
export function layerIndexOf(file: string, layers: readonly Layer[] = LAYERS): number | undefined {
  let best: { index: number; length: number } | undefined;
  layers.forEach((layer, index) => {
    for (const p of layer.paths) {
      if ((file === p || file.startsWith(`${p}/`)) && p.length > (best?.length ?? -1)) best = { index, length: p.length };
    }
  });
  return best?.index;
}

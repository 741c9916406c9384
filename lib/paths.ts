// Where netproof's own files are at run time. A clone runs the TypeScript sources (Node strips
// the types); an installed package runs what `npm pack` built into dist/, because Node refuses
// to strip types under node_modules. Code that names one of netproof's own files (a suite, the
// traffic generator, a ci/ script) goes through ownFile, so it works from both.
import { isAbsolute, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quote } from 'shell-quote';

/** `source`: the .ts files of a clone. `built`: dist/ of an installed package. */
export type Layout = 'source' | 'built';

/** Where tsconfig.build.json writes the JavaScript, under the project root. */
export const BUILD_DIR = 'dist';
/** Top-level folders whose .ts files are compiled into BUILD_DIR; anything else (ci/, README.md) ships as is. */
const COMPILED_DIRS = ['lib', 'suites', 'fixtures'];

/** This file's own name says how this copy runs: lib/paths.ts or dist/lib/paths.js. */
export const LAYOUT: Layout = import.meta.url.endsWith('.ts') ? 'source' : 'built';

/**
 * The clone, or the installed package (…/node_modules/netproof/). The Docker runtime mounts it
 * into every node (read-only, at the same path) so netproof's own tools (the traffic generator)
 * run there as they do on the host.
 */
export const PROJECT_ROOT = fileURLToPath(new URL(LAYOUT === 'source' ? '../' : '../../', import.meta.url));

/**
 * The file that `sourcePath` (relative to the project root, as in the clone: `lib/traffic/trafgen.ts`,
 * `suites`, `suites/**\/*.test.ts`, `ci/bootstrap.sh`) is in `layout`: in a built package compiled
 * code lives under dist/ and ends in .js. Globs map the same way.
 */
export function ownFileIn(layout: Layout, root: string, sourcePath: string): string {
  const rel = normalize(sourcePath);
  if (isAbsolute(rel) || rel === '..' || rel.startsWith('../')) throw new Error(`ownFile takes a path inside the project, relative to its root (e.g. lib/traffic/trafgen.ts), not "${sourcePath}"`);
  if (layout === 'source' || !COMPILED_DIRS.includes(rel.split('/')[0]!)) return join(root, rel);
  return join(root, BUILD_DIR, rel.replace(/\.ts$/, '.js'));
}

/** ownFileIn for the running copy of netproof. */
export function ownFile(sourcePath: string): string {
  return ownFileIn(LAYOUT, PROJECT_ROOT, sourcePath);
}

/** A path as a fix message shows it: relative to the working directory when inside it (`ci/bootstrap.sh`, `node_modules/netproof/ci/bootstrap.sh`), else absolute. */
export function displayPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel && rel !== '..' && !rel.startsWith('../') && !isAbsolute(rel) ? rel : path;
}

/** The command line a fix message gives for one of netproof's ci/ scripts: `sh ci/bootstrap.sh` in a clone, `sh node_modules/netproof/ci/bootstrap.sh` for a user. */
export function ciScriptCommand(script: string, ...args: string[]): string {
  return quote(['sh', displayPath(ownFile(`ci/${script}`)), ...args]);
}

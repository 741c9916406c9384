// The file a node runs for one of netproof's own Node tools (trafgen). In a clone the tools are
// TypeScript, and Node strips the types of a .ts file every time it starts one: half of a probe
// process's start-up CPU, on a machine whose daemons are being timed. So a clone runs a copy
// transpiled once to JavaScript, kept under node_modules/.cache (inside the project, which both
// runtimes show to their nodes at the same path) and named by the source's hash, so an edited
// tool is transpiled again. A built package's tools are JavaScript already and run as they are.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { PROJECT_ROOT } from '../paths.ts';

const CACHE_DIR = join(PROJECT_ROOT, 'node_modules', '.cache', 'netproof', 'tools');
const ready = new Map<string, string>();

/** The JavaScript to run for tool `script` (an absolute path from ownFile). */
export function toolScript(script: string, cacheDir = CACHE_DIR): string {
  if (!script.endsWith('.ts')) return script;
  const known = ready.get(script);
  if (known) return known;
  const source = readFileSync(script, 'utf8');
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const out = join(cacheDir, `${basename(script, '.ts')}-${hash}.mjs`);
  if (!existsSync(out)) {
    // typescript is a devDependency: a clone has it; only a clone runs tools from .ts.
    const ts = createRequire(import.meta.url)('typescript') as typeof import('typescript');
    const js = ts.transpileModule(source, { fileName: script, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    mkdirSync(cacheDir, { recursive: true });
    // Another process may transpile the same file at once: each writes its own, the rename is atomic.
    const tmp = `${out}.${process.pid}.tmp`;
    writeFileSync(tmp, js);
    renameSync(tmp, out);
  }
  ready.set(script, out);
  return out;
}

#!/usr/bin/env node
// The `netproof` command. Plain JavaScript that any Node parses, so an old Node gets one line
// saying what to do, not a stack trace. Then it runs the CLI: a clone's TypeScript sources
// (Node strips the types), or, in an installed package, what `npm pack` built into dist/:
// Node refuses to strip types under node_modules. Sources first, so a clone never runs a
// dist/ left over from an earlier `npm pack`.
import { existsSync } from 'node:fs';

const MIN_NODE_MAJOR = 22;
const found = process.versions.node;

if (Number(found.split('.')[0]) < MIN_NODE_MAJOR) {
  process.stderr.write(`netproof needs Node ≥ ${MIN_NODE_MAJOR} (found ${found}); fix: npm i -D node@24 (then run npx netproof), or install Node 24\n`);
  process.exitCode = 3; // environment not fit, as the CLI's own exit codes say
} else {
  // Before the CLI loads, so its own modules come from Node's compile cache too (lib/cli/main.ts says why).
  (await import('node:module')).enableCompileCache?.();
  const source = new URL('../lib/cli/main.ts', import.meta.url);
  await import(existsSync(source) ? source.href : new URL('../dist/lib/cli/main.js', import.meta.url).href);
}

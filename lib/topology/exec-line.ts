// containerlab runs a node's `exec` lines split into words, without a shell. Do the same,
// and refuse what would need a shell (pipes, redirections, globs, variables).
import { parse } from 'shell-quote';

export function splitExecLine(line: string): { argv: string[] } | { error: string } {
  let variable: string | undefined;
  const tokens = parse(line, (name) => {
    variable ??= name;
    return `$${name}`;
  });
  if (variable) return { error: `uses the shell variable $${variable}; exec lines run without a shell` };
  const argv: string[] = [];
  for (const t of tokens) {
    if (typeof t === 'string') argv.push(t);
    else if ('op' in t && t.op === 'glob') return { error: `uses the glob "${t.pattern}"; exec lines run without a shell` };
    else if ('op' in t) return { error: `uses the shell operator "${t.op}"; exec lines run without a shell` };
    else return { error: 'contains a comment or construct that needs a shell' };
  }
  if (argv.length === 0) return { error: 'is empty' };
  return { argv };
}

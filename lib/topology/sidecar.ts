// What the overlay and intent loaders share: where a sidecar file lives beside the topology,
// reading it (absent is fine, unreadable is bad input), and turning a JSON Schema's verdict
// into located problems. Each loader keeps its own schema, hints and meaning.
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { InvalidInputError, type Problem } from '../errors.ts';
import { fieldName, parseSource, type Source } from './source.ts';

export type Path = (string | number)[];
export type Report = (path: Path, message: string, fix: string) => void;

/** `lab.<kind>.yml` for `lab.clab.yml` (and `.clab.yaml`), in the same directory. */
export function sidecarFileFor(clabFile: string, kind: 'overlay' | 'intent'): string {
  const base = basename(clabFile);
  const m = /^(.*?)(?:\.clab)?\.(ya?ml)$/.exec(base);
  return join(dirname(clabFile), m ? `${m[1]}.${kind}.${m[2]}` : `${base}.${kind}.yml`);
}

/** The sidecar's text, or undefined when the lab has none. */
export async function readSidecar(file: string, what: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new InvalidInputError([{ file, line: 1, column: 1, field: '(file)', message: `cannot be read: ${code ?? (e as Error).message}`, fix: `make the ${what} file readable, or remove it if the lab has none` }]);
  }
}

/** Check the document against `schema`; report each distinct error at its place, worded by `describe`. True when the shape is right. */
export function checkShapeWith(src: Source, schema: object, describe: (err: ErrorObject, path: Path) => { message: string; fix: string }, report: Report): boolean {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  if (validate(src.data)) return true;
  const seen = new Set<string>();
  for (const err of validate.errors ?? []) {
    const key = `${err.instancePath}|${err.keyword}|${JSON.stringify(err.params)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const path: Path = err.instancePath
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    const { message, fix } = describe(err, path);
    if (err.keyword === 'additionalProperties') path.push(String(err.params.additionalProperty));
    report(path, message, fix);
  }
  return false;
}

/** Parse a sidecar's YAML (its syntax errors thrown at once) and collect located problems through `report`. */
export function openSidecar(text: string, file: string): { src: Source; problems: Problem[]; report: Report } {
  const src = parseSource(text, file);
  const problems: Problem[] = [];
  if (src.syntaxErrors.length) {
    for (const e of src.syntaxErrors) problems.push({ file, ...e.pos, field: '(yaml)', message: e.message, fix: 'correct the YAML syntax' });
    throw new InvalidInputError(problems);
  }
  const report: Report = (path, message, fix) => {
    problems.push({ file, ...src.locate(path), field: fieldName(path), message, fix });
  };
  return { src, problems, report };
}

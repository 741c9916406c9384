// The CI templates users copy (ci/templates/*.yml) against the real command line: every
// `netproof …` that a `run:` or `script:` line calls must name a verb, options and arguments that
// lib/cli/program.ts defines, so a renamed option fails here, not in a user's pipeline. Also: each
// file triggers on pushes and on pull (merge) requests, and hands the CI's test view, its
// artifacts and the comment the files netproof writes.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parse as parseShell } from 'shell-quote';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { cliProgram } from '../../lib/cli/program.ts';
import { PROJECT_ROOT } from '../../lib/paths.ts';

const GITHUB = 'ci/templates/github-actions.yml';
const GITLAB = 'ci/templates/gitlab-ci.yml';
/** Keys whose values are shell: GitHub's `run`, GitLab's `script`, `before_script` and `after_script`. */
const SHELL_KEYS = new Set(['run', 'script', 'before_script', 'after_script']);
/** Where `netproof change` puts the proposed lab's own reports, under its --report-dir (lib/cli/change.ts). */
const PROPOSED_DIR = 'proposed';

const readTemplate = (file: string): Record<string, any> => parseYaml(readFileSync(join(PROJECT_ROOT, file), 'utf8'));

interface ShellLine {
  /** The YAML path of the line, e.g. `jobs.change.steps[5].run`. */
  where: string;
  line: string;
}

/** Every shell line under a YAML value, backslash continuations joined. A shell key holds a string or a list of them; a map under one is something else (GitHub's job named `run`). */
function shellLines(value: unknown, where: string, inShell = false): ShellLine[] {
  if (typeof value === 'string') {
    return inShell ? value.replace(/\\\n/g, ' ').split('\n').filter((l) => l.trim()).map((line) => ({ where, line })) : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => shellLines(v, `${where}[${i}]`, inShell));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => shellLines(v, where ? `${where}.${k}` : k, SHELL_KEYS.has(k)));
  }
  return [];
}

interface Call {
  where: string;
  /** The words after `netproof`, variables kept as written (`$NETPROOF_LAB`). */
  argv: string[];
}

/** Words that may come before `netproof` in its command: npx, sudo and their flags, environment assignments. */
const LAUNCHER = /^(npx|sudo|env|exec|-E|--yes|[A-Za-z_][A-Za-z0-9_]*=.*)$/;

/** The netproof calls of a shell line: each command whose word is `netproof` (after npx, sudo…) or a path to it. */
function netproofCalls({ where, line }: ShellLine): Call[] {
  const calls: Call[] = [];
  let before: string[] = [];
  let call: Call | undefined;
  for (const entry of parseShell(line, (name) => `$${name}`)) {
    if (typeof entry === 'object' && 'comment' in entry) break;
    if (typeof entry === 'object' && entry.op !== 'glob') {
      [before, call] = [[], undefined]; // && || ; | ( ): the command ends
      continue;
    }
    const word = typeof entry === 'string' ? entry : entry.pattern;
    if (call) call.argv.push(word);
    else if ((word === 'netproof' || word.endsWith('/.bin/netproof')) && before.every((w) => LAUNCHER.test(w))) calls.push((call = { where, argv: [] }));
    else before.push(word);
  }
  return calls;
}

const callsIn = (doc: unknown): Call[] => shellLines(doc, '').flatMap(netproofCalls);

interface CheckedCall {
  where: string;
  /** `run`, `change`, `generate clos`… as far as it names real commands. */
  verb: string;
  /** Each option given, by its long name, with its value. */
  options: Map<string, string | true>;
  operands: string[];
  problems: string[];
}

/** One call against the program: the command exists, every option exists on it (with an allowed value), its required options are given, and its arguments are as many as it takes. */
function checkCall(program: Command, { where, argv }: Call): CheckedCall {
  const out: CheckedCall = { where, verb: '', options: new Map(), operands: [], problems: [] };
  const problem = (text: string) => out.problems.push(`${where}: netproof ${argv.join(' ')}: ${text}`);
  let command = program;
  let i = 0;
  while (command.commands.length) {
    const word = argv[i++];
    const sub = command.commands.find((c) => c.name() === word || c.aliases().includes(word ?? ''));
    const names = command.commands.map((c) => c.name()).join(', ');
    if (!sub) {
      problem(`${word === undefined ? 'no command' : `no command "${word}"`}${command === program ? '' : ` under "${out.verb}"`} (commands: ${names})`);
      return out;
    }
    out.verb = out.verb ? `${out.verb} ${sub.name()}` : sub.name();
    command = sub;
  }
  let optionsEnd = false;
  let unknownOption = false;
  while (i < argv.length) {
    const word = argv[i++]!;
    if (optionsEnd || !word.startsWith('-') || word === '-') {
      out.operands.push(word);
      continue;
    }
    if (word === '--') {
      optionsEnd = true;
      continue;
    }
    const [flag, inline] = word.startsWith('--') && word.includes('=') ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)] : [word, undefined];
    if (flag === '--help' || flag === '-h') continue;
    const option = command.options.find((o) => o.long === flag || o.short === flag);
    if (!option) {
      problem(`"netproof ${out.verb}" has no option ${flag} (options: ${command.options.map((o) => o.long ?? o.short).join(', ')})`);
      unknownOption = true;
      continue;
    }
    const takesValue = option.required || (option.optional && argv[i] !== undefined && !argv[i]!.startsWith('-'));
    const value = inline ?? (takesValue ? argv[i++] : undefined);
    if (option.required && value === undefined) problem(`${flag} needs a value`);
    if (value !== undefined && option.argChoices && !value.startsWith('$') && !option.argChoices.includes(value)) problem(`${flag} must be one of ${option.argChoices.join(', ')}, not "${value}"`);
    out.options.set(option.long ?? flag, value ?? true);
  }
  for (const o of command.options.filter((o) => o.mandatory && !out.options.has(o.long ?? ''))) problem(`"netproof ${out.verb}" needs ${o.long}`);
  const args = command.registeredArguments;
  const needed = args.filter((a) => a.required).length;
  const most = args.some((a) => a.variadic) ? Infinity : args.length;
  // After an unknown option, whether the next word was its value cannot be told: no count then.
  if (!unknownOption && (out.operands.length < needed || out.operands.length > most)) {
    problem(`"netproof ${out.verb}" takes ${args.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`)).join(' ') || 'no arguments'}, given ${out.operands.length}`);
  }
  return out;
}

/** The report directory a checked call writes to: its --report-dir, or that option's default. */
function reportDirOf(program: Command, call: CheckedCall): string {
  const given = call.options.get('--report-dir');
  if (typeof given === 'string') return given.replace(/\/$/, '');
  const command = program.commands.find((c) => c.name() === call.verb)!;
  return command.options.find((o) => o.long === '--report-dir')!.defaultValue as string;
}

const program = cliProgram();
const templates: Record<string, Record<string, any>> = { [GITHUB]: readTemplate(GITHUB), [GITLAB]: readTemplate(GITLAB) };

describe.each(Object.keys(templates))('%s', (file) => {
  const doc = templates[file]!;
  const calls = callsIn(doc).map((c) => checkCall(program, c));

  it('calls only netproof commands, options and arguments that exist', () => {
    expect(calls.flatMap((c) => c.problems)).toEqual([]);
    // A parser that found nothing would pass vacuously: both verbs of the templates are there.
    expect(calls.map((c) => c.verb).sort()).toEqual(['change', 'run']);
  });

  it('installs netproof the way a clone does: npm ci, then its ci/bootstrap.sh from the installed package', () => {
    const lines = shellLines(doc, '').map((l) => l.line.replace(/\s+#.*$/, '').trim());
    const bootstrap = lines.findIndex((l) => l === 'sh node_modules/netproof/ci/bootstrap.sh');
    expect(lines.indexOf('npm ci')).toBeGreaterThanOrEqual(0);
    expect(bootstrap).toBeGreaterThan(lines.indexOf('npm ci'));
    // The package ships ci/ (package.json files), so the script is there in node_modules/netproof.
    expect(existsSync(join(PROJECT_ROOT, 'ci/bootstrap.sh'))).toBe(true);
    expect(JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')).files).toContain('ci/');
  });

  it("compares the base branch's lab (under base/) with the request's own, the lab file a variable", () => {
    const change = calls.find((c) => c.verb === 'change')!;
    expect(change.operands).toEqual(['base/$NETPROOF_LAB', '$NETPROOF_LAB']);
    expect(calls.find((c) => c.verb === 'run')!.operands).toEqual(['$NETPROOF_LAB']);
  });
});

/** The job whose shell calls `netproof VERB`. */
function jobCalling(jobs: Record<string, any>, verb: string): [string, Record<string, any>] {
  const found = Object.entries(jobs).filter(([name, job]) => callsIn(job).some((c) => checkCall(program, { ...c, where: name }).verb === verb));
  expect(found.map(([name]) => name), `jobs calling netproof ${verb}`).toHaveLength(1);
  return found[0]!;
}

describe(GITHUB, () => {
  const doc = templates[GITHUB]!;
  const steps = (job: Record<string, any>) => job.steps as Record<string, any>[];
  const uses = (job: Record<string, any>, action: string) => steps(job).filter((s) => typeof s.uses === 'string' && s.uses.split('@')[0] === action);

  it('runs on every push and on pull requests, netproof run on a push and netproof change on a pull request', () => {
    const on = doc.on as string | string[] | Record<string, unknown>;
    const events = typeof on === 'string' ? [on] : Array.isArray(on) ? on : Object.keys(on);
    expect(events).toEqual(expect.arrayContaining(['push', 'pull_request']));
    expect(jobCalling(doc.jobs, 'run')[1].if).toBe("github.event_name == 'push'");
    expect(jobCalling(doc.jobs, 'change')[1].if).toBe("github.event_name == 'pull_request'");
  });

  it('pins every action to a major version', () => {
    const all = Object.values(doc.jobs as Record<string, any>).flatMap((j) => steps(j).map((s) => s.uses).filter(Boolean));
    // owner/repo, or owner/repo/sub-action (actions/cache/restore), at a major version.
    expect(all.filter((u: string) => !/^[\w.-]+\/[\w.-]+(\/[\w.-]+)*@v\d+$/.test(u))).toEqual([]);
  });

  it('keeps the figure history in the cache: restored before the run, saved after it whatever its verdict, where --history points', () => {
    const run = steps(jobCalling(doc.jobs, 'run')[1]);
    const at = (pred: (s: any) => boolean) => run.findIndex(pred);
    const restore = at((s) => /^actions\/cache\/restore@/.test(s.uses ?? ''));
    const netproofRun = at((s) => /netproof run /.test(s.run ?? ''));
    const save = at((s) => /^actions\/cache\/save@/.test(s.uses ?? ''));
    expect(restore).toBeGreaterThanOrEqual(0);
    expect([restore < netproofRun, netproofRun < save]).toEqual([true, true]);
    expect(run[save].if).toBe('always()');
    const dir = /--history (\S+)\/history\.jsonl/.exec(run[netproofRun].run)?.[1];
    expect(dir).toBeDefined();
    expect([run[restore].with.path, run[save].with.path]).toEqual([`${dir}/`, `${dir}/`]);
    expect(run[save].with.key).toBe(run[restore].with.key);
  });

  it('gives the test view, the artifacts and the comment the files netproof writes', () => {
    for (const verb of ['run', 'change']) {
      const [, job] = jobCalling(doc.jobs, verb);
      const dir = reportDirOf(program, checkCall(program, callsIn(job).find((c) => c.argv[0] === verb)!));
      const junit = verb === 'change' ? `${dir}/${PROPOSED_DIR}/junit.xml` : `${dir}/junit.xml`;
      expect(uses(job, 'mikepenz/action-junit-report').map((s) => s.with.report_paths)).toEqual([junit]);
      expect(uses(job, 'actions/upload-artifact').map((s) => s.with.path.replace(/\/$/, ''))).toEqual([dir]);
      if (verb === 'change') {
        expect(uses(job, 'marocchino/sticky-pull-request-comment').map((s) => s.with.path)).toEqual([`${dir}/diff.md`]);
        // The base branch's lab is checked out where the change call looks for it.
        expect(uses(job, 'actions/checkout').map((s) => s.with?.path)).toContain('base');
      }
      // A failed run is what most needs its reports.
      for (const s of [...uses(job, 'mikepenz/action-junit-report'), ...uses(job, 'actions/upload-artifact')]) expect(s.if).toMatch(/^always\(\)/);
    }
  });
});

describe(GITLAB, () => {
  const doc = templates[GITLAB]!;
  const jobs = Object.fromEntries(Object.entries(doc).filter(([, v]) => v && typeof v === 'object' && 'script' in v));
  const ruleIfs = (job: Record<string, any>) => (job.rules as { if?: string }[]).map((r) => r.if);

  it('runs netproof run on pushes and netproof change on merge requests', () => {
    expect(ruleIfs(jobCalling(jobs, 'run')[1])).toEqual(['$CI_PIPELINE_SOURCE == "push"']);
    expect(ruleIfs(jobCalling(jobs, 'change')[1])).toEqual(['$CI_PIPELINE_SOURCE == "merge_request_event"']);
  });

  it('keeps the figure history in the cache, whatever the verdict, where --history points', () => {
    const [, job] = jobCalling(jobs, 'run');
    const dir = /--history (\S+)\/history\.jsonl/.exec((job.script as string[]).join('\n'))?.[1];
    expect(dir).toBeDefined();
    expect(job.cache.paths).toEqual([`${dir}/`]);
    expect(job.cache.when).toBe('always');
  });

  it('gives the test view, the artifacts and the merge request note the files netproof writes', () => {
    for (const verb of ['run', 'change']) {
      const [, job] = jobCalling(jobs, verb);
      const dir = reportDirOf(program, checkCall(program, callsIn(job).find((c) => c.argv[0] === verb)!));
      expect(job.artifacts.when).toBe('always');
      expect(job.artifacts.reports.junit).toBe(verb === 'change' ? `${dir}/${PROPOSED_DIR}/junit.xml` : `${dir}/junit.xml`);
      expect(job.artifacts.paths.map((p: string) => p.replace(/\/$/, ''))).toEqual([dir]);
      if (verb === 'change') expect(job.after_script.join('\n')).toContain(`body@${dir}/diff.md`);
    }
  });
});

describe('the check itself', () => {
  const problemsOf = (doc: unknown) => callsIn(doc).flatMap((c) => checkCall(program, c).problems);

  it('fails a template line that calls a command or an option netproof does not have', () => {
    const fake = {
      jobs: {
        gate: {
          steps: [
            { run: 'npx netproof chnage base/lab.clab.yml lab.clab.yml' },
            { run: 'sudo npx netproof run "$NETPROOF_LAB" --reprot-dir reports/latest' },
            { run: 'npm ci && npx netproof change "$NETPROOF_LAB"' },
          ],
        },
      },
      'netproof-run': { script: ['node_modules/.bin/netproof run lab.clab.yml --runtime dockr  # a typo', 'npx netproof export lab.clab.yml'] },
    };
    expect(problemsOf(fake)).toEqual([
      expect.stringMatching(/^jobs\.gate\.steps\[0\]\.run: .*no command "chnage" \(commands: generate, validate, .*change/),
      expect.stringMatching(/^jobs\.gate\.steps\[1\]\.run: .*"netproof run" has no option --reprot-dir \(options: .*--report-dir/),
      'jobs.gate.steps[2].run: netproof change $NETPROOF_LAB: "netproof change" takes <current> <proposed>, given 1',
      'netproof-run.script[0]: netproof run lab.clab.yml --runtime dockr: --runtime must be one of netns, docker, not "dockr"',
      'netproof-run.script[1]: netproof export lab.clab.yml: "netproof export" needs --out',
    ]);
  });

  it('passes real calls, whatever launches them, and ignores lines that only mention netproof', () => {
    const fine = {
      script: [
        'npx netproof change base/lab.clab.yml lab.clab.yml --report-dir=reports/change --suite acl --suite nat --tests "my-checks/**/*.test.ts"',
        'sudo -E npx netproof generate clos --out labs/dc && echo netproof done',
        'sh node_modules/netproof/ci/bootstrap.sh',
      ],
    };
    expect(problemsOf(fine)).toEqual([]);
    expect(callsIn(fine).map((c) => c.argv[0])).toEqual(['change', 'generate']);
  });
});

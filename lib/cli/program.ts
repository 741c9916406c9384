// netproof's command line: its verbs and options (commander), and main(), which runs one.
// Exit codes: 0 all passed · 1 a check failed · 2 bad input or usage · 3 environment problem.
// Defined apart from lib/cli/main.ts, which runs it, so a test can read the real verbs and
// options without running anything (ci/templates/templates.test.ts).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXIT, NetproofError, UsageError } from '../errors.ts';
import { ownFile } from '../paths.ts';
import { generateClos } from '../generate.ts';
import { allRuntimes, attachLab, DEFAULT_RUNTIME, RUNTIME_NAMES, runtimeByName, runtimeOfLab, type Runtime } from '../runtime/index.ts';
import { deployLab, loadForRuntime, printFrrConfigProblems } from './deploy.ts';
import { exportLab } from './export.ts';
import { FRR_KIND_FORMS } from '../render/clab-export.ts';
import { runLab, SUITE_NAMES, testLab } from './run.ts';
import { FAILOVER_SCOPES, type FailoverScope } from '../plan/failover-plan.ts';
import { UNDERLAY_FAMILIES, UNDERLAY_PROTOCOLS } from '../plan/clos.ts';
import { DEFAULT_FIGURE_TOLERANCE } from '../model/intent.ts';
import { FAULT_KINDS, injectFault, injectHoldRestore } from './fault.ts';
import { changeLab, parseTolerance, readAccepted, readBaseline } from './change.ts';
import { printIntent } from './intent.ts';
import { DEADLINE_RULE } from '../plan/deadlines.ts';

const program = new Command();

const integer = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a whole number`);
  return Number(v);
};
/** --link-bandwidth leaf1:eth1=300,leaf1:eth2=100 → { leaf1: { eth1: 300, eth2: 100 } }; names are checked against the plan. */
const linkBandwidths = (v: string): Record<string, Record<string, number>> => {
  const out: Record<string, Record<string, number>> = {};
  for (const item of v.split(',')) {
    const m = /^([A-Za-z0-9][A-Za-z0-9_-]*):([A-Za-z0-9][A-Za-z0-9_.-]*)=(\d+)$/.exec(item.trim());
    if (!m) throw new InvalidArgumentError(`"${item}" is not ROUTER:IFACE=MBPS, e.g. leaf1:eth1=300`);
    (out[m[1]!] ??= {})[m[2]!] = Number(m[3]);
  }
  return out;
};
/** --protect: a suite netproof has (checked as the option is read, so a misspelt one is exit 2 before anything is deployed), added to those given before. */
const protectedSuite = (v: string, acc: string[]): string[] => {
  if (!SUITE_NAMES.includes(v)) throw new InvalidArgumentError(`no suite "${v}" (suites: ${SUITE_NAMES.join(', ')})`);
  return [...acc, v];
};
const runtimeOption = () => new Option('--runtime <name>', 'where nodes run').choices(RUNTIME_NAMES).default(DEFAULT_RUNTIME);

const { version } = JSON.parse(readFileSync(ownFile('package.json'), 'utf8')) as { version: string };

program
  .name('netproof')
  .version(version)
  .description('Deploy containerlab topologies on real FRR (network namespaces by default) and run conformance suites against them.')
  .showHelpAfterError()
  .exitOverride();

program
  .command('generate')
  .description('write a runnable lab directory')
  .command('clos')
  .description('a spine/leaf Clos: eBGP, /31 links, /32 loopbacks (host loopbacks are TEPs), ECMP, BFD, hosts dual-homed')
  .option('--name <name>', 'lab name', 'dc')
  .option('--spines <n>', 'number of spines', integer('--spines'), 2)
  .option('--leaves <n>', 'number of leaves (even when there are hosts)', integer('--leaves'), 4)
  .option('--hosts <n>', 'number of compute hosts, each dual-homed to a leaf pair', integer('--hosts'), 4)
  .option('--fabric-mtu <bytes>', 'MTU of spine-leaf links (default: 9000)', integer('--fabric-mtu'))
  .option('--host-mtu <bytes>', 'MTU of leaf-host links (default: 1500)', integer('--host-mtu'))
  .option('--vms-per-host <n>', 'VMs per host on an OVN/GENEVE overlay (0: no overlay); adds an OVN central node and <name>.overlay.yml', integer('--vms-per-host'), 0)
  .option('--namespaces <n>', 'OVN-Kubernetes style overlay instead: a logical switch per namespace, a cluster router, a Service VIP per namespace, namespace isolation', integer('--namespaces'))
  .option('--pods-per-namespace <n>', 'pods per namespace, spread over the hosts; the Service covers all but the last (default: 2)', integer('--pods-per-namespace'))
  .option('--vm-mtu <bytes>', 'MTU of the VMs (default: smallest underlay MTU minus the 58-byte GENEVE overhead)', integer('--vm-mtu'))
  .option('--unnumbered', 'BGP unnumbered (RFC 5549): no IPv4 on fabric links, sessions over each interface\'s IPv6 link-local address (underlay only)')
  .addOption(new Option('--underlay <family>', "the loopbacks' address families: IPv4; dual stack (every router also advertises an IPv6 /128 loopback in BGP's IPv6 unicast family); or IPv6 only (the /128s alone, every check in IPv6; needs --unnumbered)").choices(UNDERLAY_FAMILIES).default('ipv4'))
  .addOption(new Option('--underlay-protocol <protocol>', 'the fabric\'s routing protocol: eBGP, or OSPF area 0 / IS-IS level 2 on point-to-point links with BFD and no BGP (isis: underlay only)').choices(UNDERLAY_PROTOCOLS).default('bgp'))
  .option('--link-bandwidth <router:iface=mbps,...>', 'weighted ECMP: the Mbit/s a router gives the routes it learns over an interface (BGP link-bandwidth community), e.g. leaf1:eth1=300,leaf1:eth2=100; declared in the intent too', linkBandwidths)
  .requiredOption('--out <dir>', 'directory to write (created if missing)')
  .action(async (o) => {
    const lab = await generateClos(
      { name: o.name, spines: o.spines, leaves: o.leaves, hosts: o.hosts, fabricMtu: o.fabricMtu, hostMtu: o.hostMtu, vmsPerHost: o.vmsPerHost, namespaces: o.namespaces, podsPerNamespace: o.podsPerNamespace, vmMtu: o.vmMtu, ...(o.unnumbered ? { unnumbered: true } : {}), underlayProtocol: o.underlayProtocol, underlayFamily: o.underlay, ...(o.linkBandwidth ? { linkBandwidth: o.linkBandwidth } : {}) },
      resolve(o.out),
    );
    console.log(`wrote ${lab.files.length} files; lab file: ${lab.file}\nnext: netproof run ${lab.file}`);
  });

program
  .command('validate')
  .description('check a topology file without deploying anything')
  .argument('<file>', 'containerlab topology (*.clab.yml)')
  .addOption(runtimeOption())
  .action(async (file: string, o) => {
    const { topology } = await loadForRuntime(file, runtimeByName(o.runtime));
    console.log(`${file}: valid (${topology.nodes.length} nodes, ${topology.links.length} links)`);
  });

program
  .command('deploy')
  .description('deploy a lab and leave it running (remove it with: netproof destroy LAB)')
  .argument('<file>', 'containerlab topology (*.clab.yml)')
  .addOption(runtimeOption())
  .action(async (file: string, o) => {
    const lab = await deployLab(file, runtimeByName(o.runtime));
    const took = (lab.times.deployedAt - lab.times.deployStartedAt) / 1000;
    // A lab FRR refused lines of stays up for inspection, but the deploy did not do what was asked.
    if (printFrrConfigProblems(lab)) process.exitCode = EXIT.failed;
    console.log(`deployed lab ${lab.name} (${lab.nodes().length} nodes, ${lab.topology.links.length} links) in ${took.toFixed(2)} s\n  netproof exec ${lab.name} ${lab.nodes()[0]?.name ?? 'NODE'} -- ip -br addr\n  netproof destroy ${lab.name}`);
  });

program
  .command('status')
  .description('list deployed labs, including leftovers of crashed runs')
  .option('--json', 'print JSON')
  .action(async (o) => {
    const labs = (await Promise.all(allRuntimes().map((r) => r.list()))).flat();
    if (o.json) {
      console.log(JSON.stringify(labs, null, 2));
      return;
    }
    if (!labs.length) {
      console.log('no labs deployed');
      return;
    }
    for (const l of labs) {
      const since = l.deployedAt ? ` since ${new Date(l.deployedAt).toISOString()}` : '';
      const hint = l.state === 'orphaned' ? `  (left over: ${l.why ?? 'a crash'}; remove it: netproof destroy ${l.name})` : '';
      console.log(`${l.name}\t${l.runtime}\t${l.state}${since}\t${l.nodes.length} nodes: ${l.nodes.join(' ')}${l.file ? `\t${l.file}` : ''}${hint}`);
    }
  });

program
  .command('exec')
  .description('run a command inside a node: netproof exec LAB NODE -- CMD ARGS…')
  .argument('<lab>')
  .argument('<node>')
  .argument('<argv...>', 'the command and its arguments (after --)')
  .action(async (labName: string, nodeName: string, argv: string[]) => {
    const lab = await attachLab(labName);
    const r = await lab.node(nodeName).exec(argv, { timeoutMs: 600_000 });
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    process.exitCode = r.exitCode;
  });

program
  .command('export')
  .description('write the lab as a containerlab directory that containerlab and clabernetes deploy as is')
  .argument('<file>', 'containerlab topology (*.clab.yml)')
  .requiredOption('--out <dir>', 'directory to write the lab into')
  .addOption(new Option('--frr-kind <kind>', 'write FRR nodes as kind: linux with frr.conf and daemons bound into /etc/frr, or as containerlab\'s kind: frr (startup-config, extras.frr.daemons; containerlab with PR 3382)').choices(FRR_KIND_FORMS).default('linux'))
  .action(async (file: string, o) => {
    const written = await exportLab(file, resolve(o.out), { frrKind: o.frrKind });
    console.log(`wrote ${written}\nnext: containerlab deploy -t ${written}   (or: clabernetes, see README)`);
  });

program
  .command('destroy')
  .description('remove a lab: namespaces, links, processes, files (also after a crash)')
  .argument('[lab]', 'lab name')
  .option('--all', 'remove every lab netproof deployed on this machine')
  .action(async (labName: string | undefined, o) => {
    if (!labName && !o.all) throw new UsageError('name a lab, or pass --all (see: netproof status)');
    // Every runtime looks, by its own marks (namespaces, container labels): after a crash the
    // state file that records the runtime may be gone.
    let destroyed = 0;
    for (const runtime of allRuntimes()) {
      const names = o.all ? (await runtime.list()).map((l) => l.name) : [labName!];
      for (const name of names) {
        const report = await runtime.destroy(name);
        if (report.removed.length) console.log(`destroyed ${name} (${runtime.name}): ${report.removed.length} items`);
        destroyed += report.removed.length ? 1 : 0;
      }
    }
    if (!destroyed && !o.all) console.log(`nothing to destroy for ${labName}`);
  });

/** Options shared by the verbs that run suites (`run`, `test`). */
function withSuiteOptions(cmd: Command): Command {
  return cmd
    .option('--suite <name>', `suite to run, repeatable (suites: ${SUITE_NAMES.join(', ')})`, (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--tests <glob>', 'your own check files (vitest tests written with netproof/testkit), repeatable; run after the built-in suites', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--grep <regexp>', "run only the checks whose name matches (vitest's -t); the others are reported as skipped")
    .option('--retries <n>', "run a failed check up to n more times (vitest's retry); one that passes on a retry passes, but is reported flaky", integer('--retries'), 0)
    .option('--protect <suite>', 'a suite where a flaky check fails the run, repeatable', protectedSuite, [] as string[])
    .option('--report-dir <dir>', 'where junit.xml, allure-results/, allure-report/index.html and summary.json go', 'reports/latest')
    .option('--history <file>', 'the figure history across runs (JSON lines; e.g. a CI cache): summary.json gets each figure\'s previous value, the report its trend (default: history.jsonl in the report directory)')
    .option('--convergence-timeout <seconds>', `deadline for the control plane to converge, from the end of the deploy (test: from the start of the checks) (default: by the lab's size, ${DEADLINE_RULE})`, integer('--convergence-timeout'))
    .option('--accept <file>', 'differences you mean to make (entries of a diff.json): reported as intended; one that does not happen fails')
    .option('--tolerance <share>', `how far a figure may move before it counts as a regression or improvement, e.g. 50% (default: the intent's, else ${DEFAULT_FIGURE_TOLERANCE.relative * 100}%)`)
    .addOption(new Option('--failover <scope>', 'links the failover suite fails: one per tier pair, or every router-to-router link (nightly)').choices(FAILOVER_SCOPES).default('tier-pairs'));
}

/** Options of the verbs that may compare with a snapshot taken earlier (`run`, `test`). */
const withBaseline = (cmd: Command) => cmd.option('--baseline <state.json>', 'compare this run with a state.json written earlier: any regression fails the run (writes diff.json and diff.md)');

type SuiteCliOptions = { suite: string[]; tests: string[]; grep?: string; retries: number; protect: string[]; reportDir: string; history?: string; convergenceTimeout?: number; accept?: string; tolerance?: string; baseline?: string; failover: FailoverScope };

/** --grep as vitest will use it: a regular expression, or a usage error (exit 2) before anything is deployed. */
function checkNamePattern(pattern: string): string {
  try {
    new RegExp(pattern);
  } catch (e) {
    throw new UsageError(`--grep '${pattern}' is not a regular expression: ${(e as Error).message}\n    fix: e.g. --grep 'carrier loss' runs the checks whose name contains "carrier loss"`);
  }
  return pattern;
}

/** What every verb that runs suites takes. */
const commonSuiteOptions = (runtime: Runtime, o: SuiteCliOptions) => ({
  runtime,
  suites: o.suite,
  tests: o.tests,
  ...(o.grep !== undefined ? { grep: checkNamePattern(o.grep) } : {}),
  ...(o.retries > 0 ? { retries: o.retries } : {}),
  ...(o.protect.length ? { protect: o.protect } : {}),
  reportDir: resolve(o.reportDir),
  ...(o.history !== undefined ? { history: resolve(o.history) } : {}),
  convergenceTimeoutS: o.convergenceTimeout,
  failover: o.failover,
  ...(o.tolerance ? { tolerance: parseTolerance(o.tolerance) } : {}),
});

/** `run` and `test`: the common options, and the baseline and accepted differences, read before anything is deployed (a bad file is exit 2). */
async function suiteOptions(runtime: Runtime, o: SuiteCliOptions) {
  if (o.accept && !o.baseline) throw new UsageError('--accept needs --baseline (or use netproof change): it says which differences from the baseline you mean to make');
  return {
    ...commonSuiteOptions(runtime, o),
    ...(o.baseline ? { baseline: { snapshot: await readBaseline(o.baseline), label: o.baseline } } : {}),
    ...(o.accept ? { accepted: await readAccepted(o.accept) } : {}),
  };
}

withBaseline(withSuiteOptions(program.command('run').description('deploy a lab, run the conformance suites against it, write reports and state.json, tear down').argument('<file>', 'containerlab topology (*.clab.yml)')))
  .addOption(runtimeOption())
  .option('--keep', 'leave the lab running afterwards')
  .action(async (file: string, o) => {
    process.exitCode = await runLab({ file, keep: Boolean(o.keep), ...(await suiteOptions(runtimeByName(o.runtime), o)) });
  });

withBaseline(withSuiteOptions(program.command('test').description('run the conformance suites against a lab that is already deployed (it keeps running)').argument('<lab>', 'lab name (see: netproof status)')))
  .action(async (labName: string, o) => {
    process.exitCode = await testLab(labName, await suiteOptions(await runtimeOfLab(labName), o));
  });

withSuiteOptions(
  program
    .command('change')
    .description('pre-change validation: run the current lab, then the proposed one, and diff their state (diff.json, diff.md); exit 1 on any regression')
    .argument('<current>', 'the lab as it is (*.clab.yml)')
    .argument('<proposed>', 'the lab as the change would make it (*.clab.yml)'),
)
  .addOption(runtimeOption())
  .action(async (current: string, proposed: string, o) => {
    process.exitCode = await changeLab({ ...commonSuiteOptions(runtimeByName(o.runtime), o), current, proposed, ...(o.accept ? { accept: o.accept } : {}) });
  });

program
  .command('intent')
  .description("print an intent file inferred from a running lab's live state (ASNs, loopbacks, BFD timers, link bandwidths, hashing), to review and commit beside the topology")
  .argument('<lab>', 'lab name (see: netproof status)')
  .action(async (labName: string) => {
    await printIntent(await attachLab(labName));
  });

program
  .command('fault')
  .description('inject a fault into a running lab, hold it (--for SECONDS, or until Ctrl-C), then undo it')
  .argument('<lab>', 'lab name')
  .argument('<kind>', `one of: ${FAULT_KINDS.join(', ')}`)
  .argument('<target>', 'node:interface for link faults, node:daemon for stop-daemon (an FRR, OVS or OVN daemon: leaf1:bgpd, host1:ovn-controller), node for isolate')
  .option('--percent <n>', 'loss percentage for "loss"', integer('--percent'))
  .option('--mtu <bytes>', 'new MTU for "mtu"', integer('--mtu'))
  .option('--for <seconds>', 'hold the fault this long, then undo it (default: until Ctrl-C)', integer('--for'))
  .action(async (labName: string, kind: string, target: string, o) => {
    const lab = await attachLab(labName);
    await injectHoldRestore(() => injectFault(lab, kind, target, { percent: o.percent, mtu: o.mtu }), o.for, (line) => console.log(line));
  });

export async function main(argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version "fail" with exit 0; real usage errors were already printed.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof NetproofError) {
      console.error(`netproof: ${e.message}`);
      return e.exitCode;
    }
    // Not an error netproof knows how to classify: a defect of netproof's own. It fails the run,
    // and is never passed off as an environment problem.
    console.error(`netproof: unexpected error (a netproof defect: please report it with this trace): ${(e as Error).stack ?? e}`);
    return EXIT.failed;
  }
}

/** The command line defined above, not run. */
export const cliProgram = (): Command => program;

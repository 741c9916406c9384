// One lifecycle for every caller — the CLI, the bench, the project's tests:
//   const lab = await loadLab(file);                  // validated, immutable: every problem at once (exit 2)
//   await using started = await lab.start({ runtime }); // StartedLab (AsyncDisposable)
//   …; await started.stop();
// Nothing is created until the file, the runtime's rules and the environment have passed, and
// nothing changes a loaded lab afterwards: the overlay and the declared intent are part of what loadLab returns.
import { InvalidInputError } from '../errors.ts';
import type { StartedLab } from '../lab/started-lab.ts';
import { applyOverlay } from '../overlay/apply.ts';
import { loadIntent } from '../topology/load-intent.ts';
import { loadOverlay } from '../topology/load-overlay.ts';
import { overlayTopologyProblems } from '../plan/chassis.ts';
import { DEFAULT_RUNTIME, runtimeByName, type Runtime } from '../runtime/index.ts';
import type { Progress } from '../runtime/runtime.ts';
import { loadTopology } from '../topology/load.ts';
import type { Topology } from '../model/topology.ts';

export interface StartOptions {
  /** A runtime or its name (netns, docker); netns by default. */
  runtime?: Runtime | string;
  onProgress?: Progress;
  /** The caller tears the lab down when it ends (netproof run): see DeployOptions.transient. */
  transient?: boolean;
}

export class Lab {
  /** The resolved topology with its overlay and declared intent, frozen. */
  readonly topology: Readonly<Topology>;

  private constructor(topology: Topology) {
    this.topology = deepFreeze(topology);
  }

  get name(): string {
    return this.topology.name;
  }

  /**
   * Read and validate a containerlab file and its `<lab>.overlay.yml` and `<lab>.intent.yml` sidecars, if any; with a
   * runtime, also against that runtime's rules, so every problem is reported at once.
   */
  static async load(file: string, runtime?: Runtime | string): Promise<Lab> {
    const topology = await loadTopology(file);
    // Both sidecars are read before either's problems are thrown, so all of them are reported at once.
    const [overlay, intent] = await Promise.allSettled([loadOverlay(topology), loadIntent(topology)]);
    const failed = [overlay, intent].flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    const other = failed.find((e) => !(e instanceof InvalidInputError));
    if (other !== undefined) throw other;
    if (failed.length) throw new InvalidInputError(failed.flatMap((e) => (e as InvalidInputError).problems));
    const withSidecars: Topology = { ...topology, overlay: settledValue(overlay), intent: settledValue(intent) };
    const problems = [...(withSidecars.overlay ? overlayTopologyProblems(withSidecars) : []), ...(runtime ? resolveRuntime(runtime).check(withSidecars) : [])];
    if (problems.length) throw new InvalidInputError(problems);
    return new Lab(withSidecars);
  }

  /** The lab against a runtime's own rules (e.g. netns runs only network exec lines): every problem at once, exit 2. */
  checkFor(runtime: Runtime | string = DEFAULT_RUNTIME): this {
    const problems = resolveRuntime(runtime).check(this.topology as Topology);
    if (problems.length) throw new InvalidInputError(problems);
    return this;
  }

  /**
   * Deploy on a runtime and apply the overlay intent. Whatever fails part way removes what was
   * created before the error reaches the caller.
   */
  async start(opts: StartOptions = {}): Promise<StartedLab> {
    const runtime = resolveRuntime(opts.runtime ?? DEFAULT_RUNTIME);
    this.checkFor(runtime);
    await runtime.checkEnvironment(this.topology as Topology);
    const started = await runtime.deploy(this.topology as Topology, { onProgress: opts.onProgress, transient: opts.transient });
    if (this.topology.overlay) {
      opts.onProgress?.('overlay intent');
      await applyOverlay(started, this.topology.overlay).catch(async (e: unknown) => {
        await started.stop();
        throw e;
      });
    }
    return started;
  }
}

export const loadLab = (file: string, runtime?: Runtime | string): Promise<Lab> => Lab.load(file, runtime);

const resolveRuntime = (r: Runtime | string) => (typeof r === 'string' ? runtimeByName(r) : r);

const settledValue = <T>(r: PromiseSettledResult<T>): T | undefined => (r.status === 'fulfilled' ? r.value : undefined);

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

// Get the Docker runtime ready for the project's own tests and benchmark: start dockerd if no
// engine answers (saying so, and stopping it again afterwards), and build the node image if it
// is missing. Users of the CLI get the same steps as fixes instead (checkEnvironment).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { execOk } from '../../exec.ts';
import { waitFor } from '../../wait-for.ts';
import { ciScriptCommand, ownFile } from '../../paths.ts';
import { NODE_IMAGE } from '../../render/clab.ts';
import { DOCKERD_ARGV, dockerEngine } from './engine.ts';

export const DOCKERD_LOG = '/var/log/netproof-dockerd.log';

export interface DockerReady {
  /** Stop what this call started (dockerd), leaving the machine as it was found. */
  release(): Promise<void>;
}

export async function ensureDockerReady(say: (line: string) => void): Promise<DockerReady> {
  let engine = await dockerEngine();
  if (!engine.cli) throw new Error(`the Docker runtime tests need the Docker engine: ${ciScriptCommand('bootstrap.sh', '--docker')}   (apt-get install docker.io mmdebstrap)`);
  let dockerd: ChildProcess | undefined;
  if (!engine.running) {
    say(`no Docker engine answers: starting ${DOCKERD_ARGV.join(' ')} (log: ${DOCKERD_LOG}); it is stopped again afterwards`);
    const log = openSync(DOCKERD_LOG, 'a');
    dockerd = spawn(DOCKERD_ARGV[0]!, DOCKERD_ARGV.slice(1), { detached: true, stdio: ['ignore', log, log] });
    closeSync(log); // dockerd has its own copy
    dockerd.unref();
    await waitFor(
      async () => {
        engine = await dockerEngine();
        return engine.running ? { ok: true, value: true } : { ok: false, reason: `dockerd not answering yet: ${engine.error}; see ${DOCKERD_LOG}` };
      },
      { timeoutMs: 60_000, intervalsMs: [200, 500], description: 'dockerd to answer' },
    );
  }
  if (!engine.images.includes(NODE_IMAGE)) {
    say(`building the node image ${NODE_IMAGE} from Debian packages (ci/build-node-image.sh, ≈30 s, cached afterwards)`);
    await execOk(['sh', ownFile('ci/build-node-image.sh')], { timeoutMs: 900_000 });
  }
  return {
    release: async () => {
      if (!dockerd || dockerd.exitCode !== null || dockerd.signalCode !== null) return;
      const d = dockerd;
      d.kill('SIGTERM');
      await waitFor(async () => (d.exitCode !== null || d.signalCode !== null ? { ok: true, value: true } : { ok: false, reason: `dockerd (pid ${d.pid}) still running` }), {
        timeoutMs: 30_000,
        intervalsMs: [100, 250],
        description: 'dockerd to stop',
      });
    },
  };
}

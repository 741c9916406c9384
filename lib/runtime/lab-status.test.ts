// `netproof status` from the state files: a lab is running while its deploy, or the run that
// tears it down, is alive or done as intended; left over once that process died first.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

async function statuses(states: Record<string, object>, nodesFound: { lab: string; node: string }[] = []) {
  const root = await mkdtemp(join(tmpdir(), 'netproof-status-'));
  process.env.NETPROOF_STATE_DIR = root;
  for (const [lab, state] of Object.entries(states)) {
    await mkdir(join(root, lab), { recursive: true });
    await writeFile(join(root, lab, 'state.json'), JSON.stringify({ runtime: 'netns', name: lab, daemons: {}, frrConfigProblems: [], topology: { nodes: [{ name: 'leaf1' }], file: `/labs/${lab}.clab.yml` }, times: { deployStartedAt: 1, deployedAt: 2 }, ...state }));
  }
  const { labStatuses } = await import('./state.ts');
  return Object.fromEntries((await labStatuses('netns', nodesFound)).map((s) => [s.name, { state: s.state, why: s.why, nodes: s.nodes }]));
}

const DEAD = 2 ** 22 + 12345; // above the kernel's pid_max default: no process has it

describe('labStatuses', () => {
  it('a deployed lab runs on after its deploy ends; a transient one whose run died, or a deploy that died part way, is left over', async () => {
    expect(
      await statuses(
        {
          kept: { status: 'running', ownerPid: DEAD },
          alive: { status: 'running', ownerPid: process.pid, transient: true },
          killed: { status: 'running', ownerPid: DEAD, transient: true },
          half: { status: 'deploying', ownerPid: DEAD },
        },
        [
          { lab: 'killed', node: 'leaf1' },
          { lab: 'stray', node: 'spine1' },
        ],
      ),
    ).toEqual({
      kept: { state: 'running', why: undefined, nodes: ['leaf1'] },
      alive: { state: 'running', why: undefined, nodes: ['leaf1'] },
      killed: { state: 'orphaned', why: `netproof run (pid ${DEAD}) ended without tearing it down`, nodes: ['leaf1'] },
      half: { state: 'orphaned', why: `its deploy (pid ${DEAD}) ended part way`, nodes: ['leaf1'] },
      stray: { state: 'orphaned', why: 'no state file', nodes: ['spine1'] },
    });
  });
});

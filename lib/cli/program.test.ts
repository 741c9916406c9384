// --retries and --protect as the command line reads them: a bad value is exit 2 that names the
// option (and, for --protect, lists the suites) before anything is loaded or deployed.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXIT } from '../errors.ts';
import { cliProgram, main } from './program.ts';
import { SUITE_NAMES } from './run.ts';

/** main() on these arguments, and what it wrote to stderr. Only arguments refused while parsing: no action runs. */
async function refused(...args: string[]): Promise<{ exitCode: number; stderr: string }> {
  let stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const exitCode = await main(['node', 'netproof', ...args]);
  return { exitCode, stderr };
}

/** main() on these arguments, and what it printed as its error (console.error: a usage error found past parsing). */
async function refusedByPlan(...args: string[]): Promise<{ exitCode: number; stderr: string }> {
  let stderr = '';
  vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => {
    stderr += `${parts.join(' ')}\n`;
  });
  return { exitCode: await main(['node', 'netproof', ...args]), stderr };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('--retries', () => {
  for (const verb of [['run', 'dc.clab.yml'], ['test', 'dc'], ['change', 'a.clab.yml', 'b.clab.yml']]) {
    it(`netproof ${verb[0]} refuses a value that is not a whole number ≥ 0 with exit 2`, async () => {
      for (const bad of ['-1', '1.5', 'two', '']) {
        const r = await refused(...verb, '--retries', bad);
        expect(r.exitCode, bad).toBe(EXIT.usage);
        expect(r.stderr, bad).toContain('--retries must be a whole number');
      }
    });
  }
});

describe('--protect', () => {
  it('refuses a suite netproof does not have with exit 2, naming the option and listing the suites', async () => {
    for (const verb of [['run', 'dc.clab.yml'], ['test', 'dc'], ['change', 'a.clab.yml', 'b.clab.yml']]) {
      const r = await refused(...verb, '--protect', 'bfd-failover', '--protect', 'bfd-failvoer');
      expect(r.exitCode, verb[0]).toBe(EXIT.usage);
      expect(r.stderr, verb[0]).toContain(`option '--protect <suite>' argument 'bfd-failvoer' is invalid. no suite "bfd-failvoer" (suites: ${SUITE_NAMES.join(', ')})`);
    }
  });
});

describe('run, test and change', () => {
  it('take --retries (default 0) and --protect (repeatable, default none)', () => {
    for (const name of ['run', 'test', 'change']) {
      const command = cliProgram().commands.find((c) => c.name() === name)!;
      expect(command.options.find((o) => o.long === '--retries')?.defaultValue, name).toBe(0);
      expect(command.options.find((o) => o.long === '--protect')?.defaultValue, name).toEqual([]);
    }
  });
});

describe('export --frr-kind', () => {
  it('takes linux (the default: FRR nodes as kind: linux with binds) or frr (containerlab’s frr kind)', () => {
    const option = cliProgram().commands.find((c) => c.name() === 'export')!.options.find((o) => o.long === '--frr-kind')!;
    expect(option.defaultValue).toBe('linux');
    expect(option.argChoices).toEqual(['linux', 'frr']);
  });

  it('refuses any other value with exit 2, naming the option and its choices, before loading anything', async () => {
    const r = await refused('export', 'lab.clab.yml', '--out', '/nonexistent/out', '--frr-kind', 'frrouting');
    expect(r.exitCode).toBe(EXIT.usage);
    expect(r.stderr).toContain("option '--frr-kind <kind>' argument 'frrouting' is invalid. Allowed choices are linux, frr.");
  });
});

describe('generate clos --underlay-protocol', () => {
  const generateClos = () => cliProgram().commands.find((c) => c.name() === 'generate')!.commands.find((c) => c.name() === 'clos')!;

  it('takes bgp (the default), ospf or isis', () => {
    const option = generateClos().options.find((o) => o.long === '--underlay-protocol')!;
    expect(option.defaultValue).toBe('bgp');
    expect(option.argChoices).toEqual(['bgp', 'ospf', 'isis']);
  });

  it('refuses any other value with exit 2, naming the option and its choices', async () => {
    const r = await refused('generate', 'clos', '--out', '/nonexistent/out', '--underlay-protocol', 'rip');
    expect(r.exitCode).toBe(EXIT.usage);
    expect(r.stderr).toContain("option '--underlay-protocol <protocol>' argument 'rip' is invalid. Allowed choices are bgp, ospf, isis.");
  });

  it('refuses --unnumbered with an IGP, and an IGP with an overlay, with exit 2 and the fix, before writing anything', async () => {
    const unnumbered = await refusedByPlan('generate', 'clos', '--out', '/nonexistent/out', '--underlay-protocol', 'ospf', '--unnumbered');
    expect(unnumbered.exitCode).toBe(EXIT.usage);
    expect(unnumbered.stderr).toContain('netproof: --unnumbered is BGP unnumbered (RFC 5549): drop it, or use --underlay-protocol bgp');
    for (const igp of ['ospf', 'isis']) {
      const overlay = await refusedByPlan('generate', 'clos', '--out', '/nonexistent/out', '--underlay-protocol', igp, '--vms-per-host', '1');
      expect(overlay.exitCode).toBe(EXIT.usage);
      expect(overlay.stderr).toContain(`netproof: --underlay-protocol ${igp} builds an underlay only: drop --vms-per-host/--namespaces, or use --underlay-protocol bgp`);
    }
  });
});

describe('generate clos --link-bandwidth', () => {
  const option = () => cliProgram().commands.find((c) => c.name() === 'generate')!.commands.find((c) => c.name() === 'clos')!.options.find((o) => o.long === '--link-bandwidth')!;

  it('reads ROUTER:IFACE=MBPS items, comma-separated, into bandwidths by router and interface', () => {
    const parse = option().parseArg as (value: string, previous: unknown) => unknown;
    expect(parse('leaf1:eth1=300,leaf1:eth2=100', undefined)).toEqual({ leaf1: { eth1: 300, eth2: 100 } });
    expect(parse('leaf1:eth1=300, spine2:eth4=25600', undefined)).toEqual({ leaf1: { eth1: 300 }, spine2: { eth4: 25600 } });
    expect(option().defaultValue).toBeUndefined();
  });

  it('refuses an item that is not ROUTER:IFACE=MBPS with exit 2, naming the option and the form', async () => {
    for (const bad of ['bad', 'leaf1=300', 'leaf1:eth1', 'leaf1:eth1=', 'leaf1:eth1=1.5', 'leaf1:eth1=-5', 'leaf1:eth1=300,']) {
      const r = await refused('generate', 'clos', '--out', '/nonexistent/out', '--link-bandwidth', bad);
      expect(r.exitCode, bad).toBe(EXIT.usage);
      expect(r.stderr, bad).toContain("option '--link-bandwidth <router:iface=mbps,...>' argument");
      expect(r.stderr, bad).toContain('is not ROUTER:IFACE=MBPS, e.g. leaf1:eth1=300');
    }
    expect((await refused('generate', 'clos', '--out', '/nonexistent/out', '--link-bandwidth', 'bad')).stderr).toContain(`argument 'bad' is invalid. "bad" is not ROUTER:IFACE=MBPS, e.g. leaf1:eth1=300`);
  });

  it('refuses a router, interface or bandwidth the plan does not allow, and an IGP, with exit 2 before writing anything', async () => {
    const cases: [string[], string][] = [
      [['--link-bandwidth', 'leaf9:eth1=100'], 'netproof: --link-bandwidth names leaf9, which this fabric does not have'],
      [['--link-bandwidth', 'leaf1:eth9=100'], "netproof: --link-bandwidth names leaf1:eth9, which is not one of leaf1's links"],
      [['--link-bandwidth', 'leaf1:eth1=0'], 'netproof: --link-bandwidth leaf1:eth1=0: write the bandwidth in Mbit/s as a whole number from 1 to 25600'],
      [['--link-bandwidth', 'leaf1:eth1=30000'], 'netproof: --link-bandwidth leaf1:eth1=30000: write the bandwidth in Mbit/s as a whole number from 1 to 25600'],
      [['--underlay-protocol', 'ospf', '--link-bandwidth', 'leaf1:eth1=300'], "netproof: --link-bandwidth sets BGP's link-bandwidth community: drop it, or use --underlay-protocol bgp (got ospf)"],
    ];
    for (const [args, message] of cases) {
      const r = await refusedByPlan('generate', 'clos', '--out', '/nonexistent/out', ...args);
      expect(r.exitCode, args.join(' ')).toBe(EXIT.usage);
      expect(r.stderr, args.join(' ')).toContain(message);
    }
  });
});

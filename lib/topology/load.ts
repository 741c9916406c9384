// Load a containerlab file: parse, check the shape against the schema, resolve
// defaults → kinds → groups → node as containerlab does, and check netproof's own rules.
// Every problem is collected and reported at once, each with file:line:column and a fix.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { Address4, Address6 } from 'ip-address';
import { InvalidInputError, type Problem } from '../errors.ts';
import { ifaceNameProblem, LAB_NAME, NODE_NAME } from '../names.ts';
import { splitExecLine } from './exec-line.ts';
import { ALWAYS_RUNNING_DAEMONS, FRR_DAEMONS, KNOWN_DAEMONS } from './frr-daemon-names.ts';
import { ROUTER_TIERS, TIER_LABEL, type Bind, type Endpoint, type LabLink, type LabNode, type Topology } from '../model/topology.ts';
import { topologySchema } from './schema.ts';
import { fieldName, parseSource, type Source } from './source.ts';

/** `frr` is containerlab's FRRouting kind (containerlab PR 3382), `frrouting` its alias. */
export const SUPPORTED_KINDS = ['linux', 'frr', 'frrouting'] as const;
export const FRR_KINDS: readonly string[] = ['frr', 'frrouting'];
const FRR_CONF_PATH = '/etc/frr/frr.conf';
const FRR_DAEMONS_PATH = '/etc/frr/daemons';
/** The files containerlab's frr kind writes and mounts over /etc/frr itself. */
const FRR_KIND_FILES = [FRR_CONF_PATH, FRR_DAEMONS_PATH, '/etc/frr/vtysh.conf'];
/**
 * frr.conf of a kind: frr node without startup-config: containerlab's default (nodes/frr/frr.cfg)
 * without its `log stdout`, which would move the daemons' logs away from the files netproof reads.
 */
export const FRR_KIND_DEFAULT_CONFIG = 'frr defaults traditional\n!\n';
/**
 * What a kind: frr node without extras.frr.daemons runs: every daemon, as containerlab starts
 * them, but sharpd, FRR's test daemon (an idle one in containerlab's image), which Debian's frr
 * package does not ship: naming it would stop bring-up for a daemon no configuration uses.
 */
export const FRR_KIND_DEFAULT_DAEMONS = FRR_DAEMONS.filter((d) => d !== 'sharpd');
/** Daemons FRR starts whatever the daemons file says, which containerlab's frr kind accepts in extras.frr.daemons and ignores. */
const FRR_KIND_ALWAYS_ON = [...ALWAYS_RUNNING_DAEMONS, 'mgmtd', 'watchfrr'];

type Path = (string | number)[];

interface RawNodeConfig {
  kind?: string;
  image?: string;
  group?: string;
  'startup-config'?: string;
  extras?: { frr?: { daemons?: string[] } };
  binds?: string[];
  exec?: string[];
  labels?: Record<string, unknown>;
  sysctls?: Record<string, unknown>;
}

interface RawLink {
  type?: string;
  endpoints: (string | { node: string; interface: string; ipv4?: string; ipv6?: string })[];
  mtu?: number;
  ipv4?: string[];
  ipv6?: string[];
}

interface RawTopology {
  name: string;
  topology: {
    defaults?: RawNodeConfig;
    kinds?: Record<string, RawNodeConfig>;
    groups?: Record<string, RawNodeConfig>;
    nodes: Record<string, RawNodeConfig | null>;
    links?: RawLink[];
  };
}

export interface LoadOptions {
  /** Whether a host path exists; injected so parsing stays testable without files. */
  exists?: (path: string) => boolean;
}

/** Read and validate a containerlab file. Throws InvalidInputError listing every problem. */
export async function loadTopology(file: string): Promise<Topology> {
  const abs = resolvePath(file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (e) {
    throw new InvalidInputError([
      { file, line: 1, column: 1, field: '(file)', message: `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, fix: 'pass the path of an existing *.clab.yml file' },
    ]);
  }
  return parseTopology(text, abs, { exists: existsSync });
}

export function parseTopology(text: string, file: string, opts: LoadOptions = {}): Topology {
  const exists = opts.exists ?? (() => true);
  const src = parseSource(text, file);
  const problems: Problem[] = [];
  const report = (path: Path, message: string, fix: string) => {
    problems.push({ file, ...src.locate(path), field: fieldName(path), message, fix });
  };

  if (src.syntaxErrors.length) {
    for (const e of src.syntaxErrors) problems.push({ file, ...e.pos, field: '(yaml)', message: e.message, fix: 'correct the YAML syntax' });
    throw new InvalidInputError(problems);
  }
  if (!checkShape(src, report)) throw new InvalidInputError(problems);

  const raw = src.data as RawTopology;
  const dir = dirname(file);
  if (!LAB_NAME.test(raw.name)) {
    report(['name'], `lab name "${raw.name}" is not usable as a namespace name`, 'use 1–32 characters: letters, digits, _ and -, starting with a letter or digit');
  }

  const nodes: LabNode[] = [];
  for (const [name, own] of Object.entries(raw.topology.nodes)) {
    const node = resolveNode(name, own ?? {}, raw, dir, exists, report);
    if (node) nodes.push(node);
  }
  const links = resolveLinks(raw.topology.links ?? [], new Set(Object.keys(raw.topology.nodes)), report);

  if (problems.length) throw new InvalidInputError(problems);
  return { name: raw.name, file, dir, nodes, links, locate: src.locate };
}

function checkShape(src: Source, report: (path: Path, message: string, fix: string) => void): boolean {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(topologySchema);
  if (validate(src.data)) return true;
  for (const err of dedupeAjvErrors(validate.errors ?? [])) {
    const path: Path = err.instancePath
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    const { message, fix } = describeAjvError(err);
    if (err.keyword === 'additionalProperties') path.push(String(err.params.additionalProperty));
    report(path, message, fix);
  }
  return false;
}

// anyOf failures repeat every branch's complaint; keep one line per location.
function dedupeAjvErrors(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  const out: ErrorObject[] = [];
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  for (const e of errors) {
    if (e.keyword !== 'anyOf' && anyOfPaths.has(e.instancePath)) continue;
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(e);
    }
  }
  return out;
}

function describeAjvError(err: ErrorObject): { message: string; fix: string } {
  switch (err.keyword) {
    case 'required':
      return { message: `is missing the required field "${err.params.missingProperty}"`, fix: `add ${err.params.missingProperty}:` };
    case 'additionalProperties':
      return {
        message: `unknown field "${err.params.additionalProperty}" (containerlab rejects it too)`,
        fix: 'remove it or check its spelling; netproof intent belongs in node labels (netproof.role) or a sidecar file',
      };
    case 'type':
      return { message: `must be ${err.params.type}`, fix: `write a ${err.params.type} here` };
    case 'anyOf':
      return {
        message: 'is neither "node:interface" nor {node, interface}',
        fix: 'write the endpoint as "leaf1:eth1", or as {node: leaf1, interface: eth1}',
      };
    case 'minItems':
    case 'maxItems':
      return { message: `must have ${err.keyword === 'minItems' ? 'at least' : 'at most'} ${err.params.limit} items`, fix: 'a link has exactly two endpoints' };
    case 'minimum':
    case 'maximum':
      return { message: `must be ${err.params.comparison} ${err.params.limit}`, fix: 'use an MTU between 68 and 65535 bytes' };
    case 'minProperties':
      return { message: 'must define at least one node', fix: 'add nodes under topology.nodes' };
    default:
      return { message: err.message ?? 'is invalid', fix: 'see the containerlab topology reference' };
  }
}

function resolveNode(
  name: string,
  own: RawNodeConfig,
  raw: RawTopology,
  dir: string,
  exists: (p: string) => boolean,
  report: (path: Path, message: string, fix: string) => void,
): LabNode | undefined {
  const at: Path = ['topology', 'nodes', name];
  if (!NODE_NAME.test(name)) {
    report(at, `node name "${name}" cannot be used in namespace and file names`, 'use 1–40 characters: letters, digits, _ and -, starting with a letter or digit');
    return undefined;
  }
  // Own keys only: a group named "constructor" or "toString" must not resolve to Object.prototype's.
  const groups = raw.topology.groups ?? {};
  const group = own.group !== undefined && Object.hasOwn(groups, own.group) ? groups[own.group] : undefined;
  if (own.group !== undefined && !group) {
    const known = Object.keys(raw.topology.groups ?? {});
    report([...at, 'group'], `names unknown group "${own.group}"`, known.length ? `use one of: ${known.join(', ')}` : 'define it under topology.groups');
  }
  const kindName = own.kind ?? group?.kind ?? raw.topology.defaults?.kind;
  const kind = kindName !== undefined ? raw.topology.kinds?.[kindName] : undefined;
  // containerlab's order of precedence: node, then group, then kind, then defaults.
  const layers = [own, group ?? {}, kind ?? {}, raw.topology.defaults ?? {}];
  const first = <K extends keyof RawNodeConfig>(k: K) => layers.find((l) => l[k] !== undefined)?.[k];
  const merged = <K extends 'labels' | 'sysctls'>(k: K) =>
    Object.fromEntries(
      layers
        .slice()
        .reverse()
        .flatMap((l) => Object.entries(l[k] ?? {}))
        .map(([key, v]) => [key, String(v)]),
    );

  if (kindName === undefined) {
    report(at, 'has no kind', 'add kind: linux to the node, its group, or topology.defaults');
    return undefined;
  }
  if (!(SUPPORTED_KINDS as readonly string[]).includes(kindName)) {
    // Blame the field the kind came from: the node's own kind, its group, or (from topology.defaults) the node itself.
    const from: Path = own.kind !== undefined ? [...at, 'kind'] : group?.kind !== undefined ? [...at, 'group'] : at;
    report(from, `kind "${kindName}" is not supported by netproof (supported: ${SUPPORTED_KINDS.join(', ')})`, 'run FRR as kind: frr (or kind: linux with an FRR image) and plain hosts as kind: linux');
    return undefined;
  }

  const image = first('image');
  const labels = merged('labels');
  const tier = labels[TIER_LABEL];
  const frrKind = FRR_KINDS.includes(kindName);
  const role = frrKind || (image !== undefined && isFrrImage(image)) || (tier !== undefined && ROUTER_TIERS.has(tier)) ? 'router' : 'host';

  const binds: Bind[] = [];
  const bindSources = [own, group ?? {}, kind ?? {}, raw.topology.defaults ?? {}];
  const seenTargets = new Set<string>();
  for (const layer of bindSources) {
    const layerPath = layer === own ? at : undefined;
    (layer.binds ?? []).forEach((spec, i) => {
      const bind = parseBind(spec, dir);
      const path: Path = layerPath ? [...layerPath, 'binds', i] : at;
      if ('error' in bind) {
        report(path, `bind "${spec}" ${bind.error}`, 'write binds as host-path:node-path[:ro]');
        return;
      }
      if (seenTargets.has(bind.nodePath)) return; // a more specific layer already bound it
      seenTargets.add(bind.nodePath);
      if (frrKind && FRR_KIND_FILES.includes(bind.nodePath)) {
        const instead = bind.nodePath === FRR_CONF_PATH ? 'set startup-config to the file instead' : bind.nodePath === FRR_DAEMONS_PATH ? 'name the daemons in extras.frr.daemons instead' : 'remove the bind';
        report(path, `binds ${bind.nodePath}, which kind: ${kindName} writes and mounts itself`, instead);
        return;
      }
      if (!exists(bind.hostPath)) report(path, `bind source ${bind.hostPath} does not exist`, `create it, or correct the path (relative paths are relative to ${dir})`);
      binds.push(bind);
    });
  }

  const startup = first('startup-config');
  // containerlab's rule: a value with a line break is the configuration itself, not a path.
  const inlineStartup = startup !== undefined && startup.includes('\n');
  const startupAt = blame('startup-config', at, own, group, own.group, kind, kindName);
  let frr: LabNode['frr'];
  if (role === 'router') {
    const confBind = binds.find((b) => b.nodePath === FRR_CONF_PATH);
    const daemonsBind = binds.find((b) => b.nodePath === FRR_DAEMONS_PATH);
    // containerlab downloads a URL; netproof, which reads no network at load, does not.
    const url = startup !== undefined && !inlineStartup && !confBind && /^(https?|s3|ftp|sftp|scp):\/\//.test(startup);
    if (url) report(startupAt.path, `startup-config${startupAt.from} ${startup} is a URL, which netproof does not download`, 'download the file beside the clab file and set startup-config to its path');
    const config = confBind?.hostPath ?? (startup !== undefined && !inlineStartup && !url ? absolute(startup, dir) : undefined);
    const configText = config !== undefined ? undefined : inlineStartup ? startup : frrKind ? FRR_KIND_DEFAULT_CONFIG : undefined;
    const extrasAt = blame('extras', at, own, group, own.group, kind, kindName);
    const daemonsAt = (i: number): Path => (extrasAt.from ? extrasAt.path : [...extrasAt.path, 'frr', 'daemons', i]);
    const daemonNames = frrKind ? frrKindDaemons(first('extras')?.frr?.daemons, daemonsAt, extrasAt.from, report) : undefined;
    // Per-daemon files (bgpd.conf, staticd.conf…), as FRR's start-up reads them: each by its own daemon.
    const daemonConfigs = Object.fromEntries(
      binds.flatMap((b) => {
        const daemon = /^\/etc\/frr\/([a-z0-9]+)\.conf$/.exec(b.nodePath)?.[1];
        return daemon && FRR_DAEMONS.includes(daemon) ? [[daemon, b.hostPath]] : [];
      }),
    );
    if (url) {
      // reported above
    } else if (config === undefined && configText === undefined && !Object.keys(daemonConfigs).length) {
      report(at, 'is an FRR router but has no configuration', `bind one: binds: ["${name}/frr.conf:${FRR_CONF_PATH}"], or set startup-config (or use kind: frr)`);
    } else {
      if (config !== undefined && !confBind && !exists(config)) {
        report(startupAt.path, `startup-config${startupAt.from} ${config} does not exist`, `create it, or correct the path (relative paths are relative to ${dir}); a configuration written in place needs more than one line (startup-config: |)`);
      }
      frr = {
        ...(config !== undefined ? { config } : {}),
        ...(configText !== undefined ? { configText } : {}),
        ...(daemonsBind ? { daemons: daemonsBind.hostPath } : {}),
        ...(daemonNames ? { daemonNames } : {}),
        daemonConfigs,
      };
    }
  }

  const exec: string[][] = [];
  const execLines = first('exec') ?? [];
  const execOwner = own.exec !== undefined ? [...at, 'exec'] : at;
  execLines.forEach((line, i) => {
    const split = splitExecLine(line);
    if ('error' in split) report(own.exec !== undefined ? [...execOwner, i] : at, `exec line "${line}" ${split.error}`, 'write one plain command per line, e.g. "ip addr add 10.0.0.1/24 dev eth1"');
    else exec.push(split.argv);
  });

  return { name, kind: kindName, image, role, tier, labels, binds, exec, sysctls: merged('sysctls'), frr };
}

/**
 * What a kind: frr node runs, from extras.frr.daemons as containerlab reads it: none named (or
 * no list) is every daemon; otherwise exactly the named ones, besides those FRR always starts.
 */
function frrKindDaemons(named: string[] | undefined, at: (i: number) => Path, from: string, report: (path: Path, message: string, fix: string) => void): string[] | undefined {
  if (!named?.length) return [...FRR_KIND_DEFAULT_DAEMONS];
  const known = [...KNOWN_DAEMONS, ...FRR_KIND_ALWAYS_ON];
  const unknown = named.filter((d) => !known.includes(d));
  named.forEach((d, i) => {
    if (!known.includes(d)) report(at(i), `extras.frr.daemons${from} names unknown FRR daemon "${d}"`, `use the daemons netproof runs: ${known.join(', ')}`);
  });
  return unknown.length ? undefined : [...ALWAYS_RUNNING_DAEMONS, ...KNOWN_DAEMONS.filter((d) => named.includes(d))];
}

/**
 * Where an inherited field is blamed, as for kind and exec: the node's own field; a group's at
 * the node's group: line; one from topology.kinds or topology.defaults at the node. `from` says which.
 */
function blame(field: keyof RawNodeConfig, at: Path, own: RawNodeConfig, group: RawNodeConfig | undefined, groupName: string | undefined, kind: RawNodeConfig | undefined, kindName: string): { path: Path; from: string } {
  if (own[field] !== undefined) return { path: [...at, field], from: '' };
  if (group?.[field] !== undefined) return { path: [...at, 'group'], from: ` (from group ${groupName})` };
  if (kind?.[field] !== undefined) return { path: at, from: ` (from topology.kinds.${kindName})` };
  return { path: at, from: ' (from topology.defaults)' };
}

/** FRR nodes in containerlab labs are `kind: linux` with an image such as quay.io/frrouting/frr:8.4.1. */
export function isFrrImage(image: string): boolean {
  const repo = image.split('@')[0]!.replace(/:[^/:]+$/, '');
  const last = repo.split('/').pop() ?? '';
  return last === 'frr' || last.startsWith('frr-') || repo.split('/').includes('frrouting');
}

function parseBind(spec: string, dir: string): Bind | { error: string } {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) return { error: 'is not host-path:node-path[:mode]' };
  if (!parts[1].startsWith('/')) return { error: 'has a node path that is not absolute' };
  return { hostPath: absolute(parts[0], dir), nodePath: parts[1], mode: parts[2] };
}

function absolute(p: string, dir: string): string {
  return isAbsolute(p) ? p : resolvePath(dir, p);
}

function resolveLinks(rawLinks: RawLink[], nodeNames: Set<string>, report: (path: Path, message: string, fix: string) => void): LabLink[] {
  const links: LabLink[] = [];
  const used = new Map<string, number>();
  rawLinks.forEach((raw, i) => {
    const at: Path = ['topology', 'links', i];
    if (raw.type !== undefined && raw.type !== 'veth') {
      report([...at, 'type'], `link type "${raw.type}" is not supported`, 'use a veth link (type: veth, or the short endpoints form)');
      return;
    }
    const endpoints: Endpoint[] = [];
    raw.endpoints.forEach((e, j) => {
      const path: Path = [...at, 'endpoints', j];
      const [node, iface] = typeof e === 'string' ? (e.split(':') as [string, string]) : [e.node, e.interface];
      if (!nodeNames.has(node)) {
        report(path, `names unknown node "${node}" (nodes: ${[...nodeNames].join(', ')})`, `add "${node}" under topology.nodes, or correct the endpoint`);
        return;
      }
      const bad = ifaceNameProblem(iface);
      if (bad) {
        report(path, `interface "${iface}" ${bad}`, 'use names like eth1, eth2…');
        return;
      }
      const key = `${node}:${iface}`;
      if (used.has(key)) {
        report(path, `${key} is already used by topology.links[${used.get(key)}]`, 'give each link its own interface');
        return;
      }
      used.set(key, i);
      const ipv4 = typeof e === 'string' ? raw.ipv4?.[j] : e.ipv4;
      const ipv6 = typeof e === 'string' ? raw.ipv6?.[j] : e.ipv6;
      if (ipv4 && !isPrefix4(ipv4)) report(path, `ipv4 "${ipv4}" is not an IPv4 address with prefix length`, 'write it as 10.0.0.1/31');
      if (ipv6 && !isPrefix6(ipv6)) report(path, `ipv6 "${ipv6}" is not an IPv6 address with prefix length`, 'write it as 2001:db8::1/64');
      endpoints.push({ node, iface, ...(ipv4 ? { ipv4 } : {}), ...(ipv6 ? { ipv6 } : {}) });
    });
    if (endpoints.length === 2) {
      if (endpoints[0]!.node === endpoints[1]!.node) report([...at, 'endpoints'], `both ends are on node ${endpoints[0]!.node}`, 'connect two different nodes');
      else links.push({ endpoints: endpoints as [Endpoint, Endpoint], ...(raw.mtu !== undefined ? { mtu: raw.mtu } : {}) });
    }
  });
  return links;
}

function isPrefix4(s: string): boolean {
  return s.includes('/') && Address4.isValid(s);
}

function isPrefix6(s: string): boolean {
  return s.includes('/') && Address6.isValid(s);
}

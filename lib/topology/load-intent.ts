// The declared intent of a lab's underlay: the sidecar `X.intent.yml` beside `X.clab.yml`.
// Parse it, check its shape against a schema, then check its meaning against itself and
// against the topology (every router it names is a router node there). Every problem is
// collected and reported at once, each with file:line:column, the field, and the fix — as
// the topology and overlay loaders do.
import { resolve as resolvePath } from 'node:path';
import type { ErrorObject } from 'ajv';
import { Address4, Address6 } from 'ip-address';
import { InvalidInputError } from '../errors.ts';
import { DEFAULT_MAX_PATHS, FAILURE_CLASSES, LINK_BANDWIDTH_RANGE_MBPS, HASH_POLICIES, type BfdTimers, type FailureClass, type FigureTolerance, type HashPolicy, type Intent, type RouterIntent } from '../model/intent.ts';
import { MAX_PATHS_LABEL, TIER_LABEL, type Topology } from '../model/topology.ts';
import { fieldName, type Source } from './source.ts';
import { checkShapeWith, openSidecar, readSidecar, sidecarFileFor, type Path, type Report } from './sidecar.ts';

export const ASN_RANGE = [1, 4294967295] as const;
export const MAX_PATHS_RANGE = [1, DEFAULT_MAX_PATHS] as const;
/** BFD transmit and receive intervals, in ms (FRR's own limits). */
export const BFD_INTERVAL_RANGE_MS = [10, 60000] as const;
export const BFD_MULTIPLIER_RANGE = [2, 255] as const;


interface RawTimers {
  'transmit-interval'?: number;
  'receive-interval'?: number;
  'detect-multiplier'?: number;
}

interface RawRouter {
  asn?: number;
  loopbacks?: string[];
  'max-paths'?: number;
  bfd?: RawTimers;
  'link-bandwidth'?: Record<string, number>;
}

interface RawIntent {
  routers?: Record<string, RawRouter>;
  bfd?: RawTimers & { required: boolean };
  failover?: Partial<Record<FailureClass, { 'loss-budget-ms': number }>>;
  multipath?: { hash: HashPolicy };
  tolerance?: { figures: number | string };
}

// Numbers are only typed here: whole-number and range checks come after, with their own messages.
const timerProperties = {
  'transmit-interval': { type: 'number' },
  'receive-interval': { type: 'number' },
  'detect-multiplier': { type: 'number' },
} as const;

const TIMER_KEYS = Object.keys(timerProperties) as (keyof RawTimers)[];

export const intentSchema = {
  type: 'object',
  properties: {
    routers: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: {
          asn: { type: 'number' },
          loopbacks: { type: 'array', minItems: 1, items: { type: 'string' } },
          'max-paths': { type: 'number' },
          bfd: { type: 'object', properties: timerProperties, additionalProperties: false },
          'link-bandwidth': { type: 'object', minProperties: 1, additionalProperties: { type: 'number' } },
        },
        additionalProperties: false,
      },
    },
    bfd: {
      type: 'object',
      required: ['required'],
      properties: { required: { type: 'boolean' }, ...timerProperties },
      additionalProperties: false,
    },
    failover: {
      type: 'object',
      properties: Object.fromEntries(
        FAILURE_CLASSES.map((c) => [c, { type: 'object', required: ['loss-budget-ms'], properties: { 'loss-budget-ms': { type: 'number' } }, additionalProperties: false }]),
      ),
      additionalProperties: false,
    },
    multipath: { type: 'object', required: ['hash'], properties: { hash: { enum: Object.keys(HASH_POLICIES) } }, additionalProperties: false },
    tolerance: { type: 'object', required: ['figures'], properties: { figures: { type: ['number', 'string'] } }, additionalProperties: false },
  },
  additionalProperties: false,
} as const;

/** `lab.intent.yml` for `lab.clab.yml` (and `.clab.yaml`), in the same directory. */
export function intentFileFor(clabFile: string): string {
  return sidecarFileFor(clabFile, 'intent');
}

/** The lab's declared intent, or undefined if it has no sidecar file. Throws InvalidInputError listing every problem. */
export async function loadIntent(topology: Topology): Promise<Intent | undefined> {
  const file = resolvePath(intentFileFor(topology.file));
  const text = await readSidecar(file, 'intent');
  return text === undefined ? undefined : parseIntent(text, file, topology);
}

/**
 * Validate a declared intent against itself and the topology. Pure. An empty file declares
 * nothing (every section is optional). Throws InvalidInputError listing every problem.
 */
export function parseIntent(text: string, file: string, topology: Topology): Intent {
  const { src, problems, report } = openSidecar(text, file);
  if (src.data === null || src.data === undefined) return { file, routers: {}, failover: {} };
  if (!checkShape(src, report)) throw new InvalidInputError(problems);

  const raw = src.data as RawIntent;
  const routers = checkRouters(raw, topology, report);
  const bfd = checkLabBfd(raw, report);
  const failover = checkFailover(raw, report);
  const tolerance = raw.tolerance ? checkTolerance(raw.tolerance.figures, report) : undefined;

  if (problems.length) throw new InvalidInputError(problems);
  return {
    file,
    routers,
    ...(bfd ? { bfd } : {}),
    failover,
    ...(raw.multipath ? { multipathHash: raw.multipath.hash } : {}),
    ...(tolerance ? { tolerance } : {}),
  };
}

// ---------------------------------------------------------------- shape

function checkShape(src: Source, report: Report): boolean {
  return checkShapeWith(src, intentSchema, describeAjvError, report);
}

const TIMERS_EXAMPLE = '{ transmit-interval: 300, receive-interval: 300, detect-multiplier: 3 }';

// What to write, by the field's place in the document: the first matching pattern wins.
const FIELD_HINTS: [RegExp, string][] = [
  [/^$/, 'write the intent as a mapping with the keys routers, bfd, failover, multipath and tolerance (each optional)'],
  [/^routers$/, 'write routers as a mapping: routers: { spine1: { asn: 65000, loopbacks: [10.255.0.1/32] } }'],
  [/^routers\.[^.]+$/, 'write each router as { asn: 65000, loopbacks: [10.255.0.1/32] } (optional: max-paths, bfd)'],
  [/^routers\.[^.]+\.asn$/, `write the ASN as a whole number from ${ASN_RANGE[0]} to ${ASN_RANGE[1]}`],
  [/^routers\.[^.]+\.loopbacks/, 'list the router\'s loopback /32s (and a dual-stack router\'s IPv6 /128; in an IPv6-only fabric its /128s alone), e.g. loopbacks: [10.255.0.1/32, fd00:10:255::1/128]'],
  [/^routers\.[^.]+\.max-paths$/, `write max-paths as a whole number from ${MAX_PATHS_RANGE[0]} to ${MAX_PATHS_RANGE[1]}`],
  [/^routers\.[^.]+\.bfd$/, `write the router's BFD override as ${TIMERS_EXAMPLE}`],
  [/^routers\.[^.]+\.link-bandwidth$/, 'write link-bandwidth as a mapping of the router\'s interfaces to Mbit/s, e.g. link-bandwidth: { eth1: 400, eth2: 100 }'],
  [/^routers\.[^.]+\.link-bandwidth\./, `write the bandwidth in Mbit/s as a whole number from ${LINK_BANDWIDTH_RANGE_MBPS[0]} to ${LINK_BANDWIDTH_RANGE_MBPS[1]}, e.g. 400`],
  [/^bfd$/, `write bfd as { required: true, transmit-interval: 300, receive-interval: 300, detect-multiplier: 3 }`],
  [/^bfd\.required$/, 'write required: true (BFD on every router-to-router BGP session) or required: false'],
  [/-interval$/, `write the interval in milliseconds as a whole number from ${BFD_INTERVAL_RANGE_MS[0]} to ${BFD_INTERVAL_RANGE_MS[1]}, e.g. 300`],
  [/\.detect-multiplier$/, `write the multiplier as a whole number from ${BFD_MULTIPLIER_RANGE[0]} to ${BFD_MULTIPLIER_RANGE[1]}, e.g. 3`],
  [/^failover$/, `write failover as { grey: { loss-budget-ms: 1400 }, carrier: { loss-budget-ms: 1400 }, far-end: { loss-budget-ms: 1400 } } (any may be left out)`],
  [/^failover\.[^.]+$/, 'write it as { loss-budget-ms: 1400 }'],
  [/\.loss-budget-ms$/, 'write the budget in milliseconds as a whole number above 0, e.g. 1400'],
  [/^multipath/, `write multipath as { hash: l4 } (the 5-tuple) or { hash: l3 } (addresses only)`],
  [/^tolerance/, 'write tolerance as { figures: 50% } or { figures: 0.5 }'],
];

function hintFor(path: Path): string {
  const name = path.length ? fieldName(path) : '';
  return FIELD_HINTS.find(([re]) => re.test(name))?.[1] ?? 'see the example at the top of a generated <lab>.intent.yml';
}

function describeAjvError(err: ErrorObject, path: Path): { message: string; fix: string } {
  switch (err.keyword) {
    case 'required': {
      const child = [...path, String(err.params.missingProperty)];
      return { message: `is missing the required field "${err.params.missingProperty}"`, fix: `add ${err.params.missingProperty}; ${hintFor(child)}` };
    }
    case 'additionalProperties':
      return {
        message: `unknown field "${err.params.additionalProperty}"`,
        fix: `remove it or check its spelling (allowed here: ${Object.keys(schemaAt(path)?.properties ?? {}).join(', ')})`,
      };
    case 'type':
      return { message: `must be ${String(err.params.type).split(',').join(' or ')}`, fix: hintFor(path) };
    case 'enum':
      return { message: `must be one of ${(err.params.allowedValues as unknown[]).join(', ')}`, fix: hintFor(path) };
    case 'minProperties':
      return { message: `must declare at least ${err.params.limit} entr${err.params.limit === 1 ? 'y' : 'ies'}`, fix: hintFor(path) };
    case 'minItems':
      return { message: `must list at least ${err.params.limit} item${err.params.limit === 1 ? '' : 's'}`, fix: hintFor(path) };
    default:
      return { message: err.message ?? 'is invalid', fix: hintFor(path) };
  }
}

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
}

/** The schema that describes a document path (for "allowed here" lists). */
function schemaAt(path: Path): SchemaNode | undefined {
  let node: SchemaNode | undefined = intentSchema as SchemaNode;
  for (const seg of path) {
    if (!node) return undefined;
    if (typeof seg === 'number') node = node.items;
    else if (node.properties && Object.hasOwn(node.properties, seg)) node = node.properties[seg];
    else node = typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined;
  }
  return node;
}

// ---------------------------------------------------------------- meaning

const isWholeIn = (v: number, [min, max]: readonly [number, number]) => Number.isInteger(v) && v >= min && v <= max;

function rangeProblem(what: string, v: number, [min, max]: readonly [number, number]): string {
  return Number.isInteger(v) ? `${what} ${v} is outside ${min}..${max}` : `${what} ${v} is not a whole number`;
}

function checkRouters(raw: RawIntent, topology: Topology, report: Report): Record<string, RouterIntent> {
  const nodes = new Map(topology.nodes.map((n) => [n.name, n]));
  const routerNodes = topology.nodes.filter((n) => n.role === 'router').map((n) => n.name);
  const loopbackOwner = new Map<string, string>();
  const labBfdDeclared = raw.bfd !== undefined;
  const out: Record<string, RouterIntent> = {};
  const ipv6Only: string[] = [];
  const withIpv4: string[] = [];

  for (const [name, r] of Object.entries(raw.routers ?? {})) {
    const at: Path = ['routers', name];
    const node = nodes.get(name);
    if (!node) {
      report(
        at,
        `names unknown node "${name}" (not in ${topology.file})`,
        routerNodes.length ? `use a router of ${topology.file}: ${routerNodes.join(', ')}` : `add ${name} under topology.nodes in ${topology.file} (it has no routers)`,
      );
    } else if (node.role !== 'router') {
      const why = node.tier !== undefined ? `${TIER_LABEL}: ${node.tier}` : node.image ? `image ${node.image}` : 'no FRR image';
      report(
        at,
        `node ${name} is a host, not a router, in ${topology.file} (${why}): it runs no BGP`,
        `remove ${name} from routers${routerNodes.length ? ` (routers: ${routerNodes.join(', ')})` : ''}, or make it a router in ${topology.file} (an FRR image, or a router tier such as ${TIER_LABEL}: leaf)`,
      );
    }

    if (r.asn !== undefined && !isWholeIn(r.asn, ASN_RANGE)) {
      report([...at, 'asn'], rangeProblem('asn', r.asn, ASN_RANGE), `use a 2- or 4-byte ASN from ${ASN_RANGE[0]} to ${ASN_RANGE[1]} (private: 64512–65534, 4200000000–4294967294)`);
    }

    const loopbacks: string[] = [];
    (r.loopbacks ?? []).forEach((lo, i) => {
      const path: Path = [...at, 'loopbacks', i];
      const checked = checkLoopback(lo);
      if ('error' in checked) return report(path, checked.error, checked.fix);
      if (loopbacks.includes(lo)) return report(path, `lists loopback ${lo} twice`, 'list each loopback once');
      const other = loopbackOwner.get(lo);
      if (other !== undefined) return report(path, `loopback ${lo} is already declared by router ${other}`, 'give every router its own loopback /32');
      loopbackOwner.set(lo, name);
      loopbacks.push(lo);
    });
    // Classified as written: an IPv4 loopback refused above still makes its router an IPv4 one,
    // and a router none of whose loopbacks was accepted is no IPv6-only one (one mistake, one error).
    const written = (r.loopbacks ?? []).map(String);
    if (written.some((lo) => !lo.includes(':'))) withIpv4.push(name);
    else if (loopbacks.length) ipv6Only.push(name);

    const maxPaths = r['max-paths'];
    if (maxPaths !== undefined) {
      const label = node?.labels[MAX_PATHS_LABEL];
      if (!isWholeIn(maxPaths, MAX_PATHS_RANGE)) {
        report([...at, 'max-paths'], rangeProblem('max-paths', maxPaths, MAX_PATHS_RANGE), hintFor([...at, 'max-paths']));
      } else if (label !== undefined && Number(label) !== maxPaths) {
        report(
          [...at, 'max-paths'],
          `max-paths ${maxPaths} disagrees with node ${name}'s label ${MAX_PATHS_LABEL}: "${label}" in ${topology.file}`,
          `declare one ECMP width: change max-paths here or the label in ${topology.file} so that both say the same`,
        );
      }
    }

    let bfd: BfdTimers | undefined;
    if (r.bfd !== undefined) {
      const bfdPath: Path = [...at, 'bfd'];
      bfd = checkTimers(r.bfd, bfdPath, report);
      const missing = TIMER_KEYS.filter((k) => r.bfd![k] === undefined);
      if (missing.length) {
        report(bfdPath, `the BFD override of ${name} does not declare ${missing.join(', ')}`, `declare all three timers, e.g. bfd: ${TIMERS_EXAMPLE}, or remove the override to use the lab's`);
      } else if (!labBfdDeclared) {
        report(
          bfdPath,
          `${name} overrides the lab's BFD timers, but the intent has no bfd section, so nothing would check them`,
          `declare the lab's BFD: bfd: { required: true, ${TIMERS_EXAMPLE.slice(2)}, or remove this override`,
        );
      }
    }

    // An unknown node or a host is reported above; its interfaces are not worth a second error.
    const linkBandwidthMbps = r['link-bandwidth'] !== undefined && node?.role === 'router' ? checkLinkBandwidth(name, r['link-bandwidth'], [...at, 'link-bandwidth'], topology, report) : undefined;

    out[name] = {
      name,
      ...(r.asn !== undefined ? { asn: r.asn } : {}),
      ...(r.loopbacks !== undefined ? { loopbacks } : {}),
      ...(maxPaths !== undefined ? { maxPaths } : {}),
      ...(bfd ? { bfd } : {}),
      ...(linkBandwidthMbps ? { linkBandwidthMbps } : {}),
    };
  }
  // The probes (ECMP flows, failover streams) run in a family every router has: IPv4 in an IPv4
  // or dual-stack fabric, IPv6 in an IPv6-only one. A router without IPv4 among routers with it
  // could be neither probed nor reached.
  if (withIpv4.length) {
    for (const name of ipv6Only) {
      report(['routers', name, 'loopbacks'], `router ${name} declares IPv6 loopbacks only, but ${withIpv4[0]} declares an IPv4 one`, `add ${name}'s IPv4 loopback /32 beside them, or declare IPv6 loopbacks only on every router (an IPv6-only fabric)`);
    }
  }
  return out;
}

/** Per interface of `router`, a bandwidth in range, on a link to another router: the routes it weights are learned there. */
function checkLinkBandwidth(router: string, raw: Record<string, number>, at: Path, topology: Topology, report: Report): Record<string, number> {
  const routerNames = new Set(topology.nodes.filter((n) => n.role === 'router').map((n) => n.name));
  const peerOf = new Map<string, string>();
  for (const { endpoints: [a, b] } of topology.links) {
    if (a.node === router) peerOf.set(a.iface, b.node);
    if (b.node === router) peerOf.set(b.iface, a.node);
  }
  const fabricIfaces = [...peerOf].filter(([, peer]) => routerNames.has(peer)).map(([iface]) => iface);
  const out: Record<string, number> = {};
  for (const [iface, mbps] of Object.entries(raw)) {
    const path: Path = [...at, iface];
    const peer = peerOf.get(iface);
    if (peer === undefined) report(path, `${router} has no link on interface ${iface} in ${topology.file}`, `name one of ${router}'s links to another router: ${fabricIfaces.join(', ') || 'it has none'}`);
    else if (!routerNames.has(peer)) report(path, `${router}:${iface} leads to ${peer}, which is not a router: no BGP route is learned there`, `name one of ${router}'s links to another router: ${fabricIfaces.join(', ') || 'it has none'}`);
    else if (!isWholeIn(mbps, LINK_BANDWIDTH_RANGE_MBPS)) report(path, rangeProblem('link-bandwidth', mbps, LINK_BANDWIDTH_RANGE_MBPS), hintFor(path));
    else out[iface] = mbps;
  }
  return out;
}

/** A loopback written as a canonical IPv4 /32, or why not. */
function checkLoopback(s: string): { ok: true } | { error: string; fix: string } {
  if (s.includes(':')) return checkIpv6Loopback(s);
  const example = 'write it as an IPv4 /32, e.g. 10.255.0.1/32 (or an IPv6 /128, e.g. fd00:10:255::1/128)';
  if (!Address4.isValid(s)) return { error: `loopback "${s}" is not an IPv4 address`, fix: example };
  const addr = new Address4(s);
  const host = addr.correctForm();
  if (!s.includes('/')) return { error: `loopback ${s} has no prefix length`, fix: `write it as ${host}/32` };
  if (addr.subnetMask !== 32) {
    return { error: `loopback ${s} is a /${addr.subnetMask}: a loopback is a /32`, fix: `write the router's own address as a /32, e.g. ${host}/32` };
  }
  if (`${host}/32` !== s) return { error: `loopback "${s}" is not in canonical form`, fix: `write it as ${host}/32` };
  return { ok: true };
}

/** A dual-stack router's IPv6 loopback: a /128 in canonical (compressed, lower-case) form, as FRR and `ip` print it. */
function checkIpv6Loopback(s: string): { ok: true } | { error: string; fix: string } {
  if (!Address6.isValid(s)) return { error: `loopback "${s}" is not an IPv6 address`, fix: 'write it as an IPv6 /128, e.g. fd00:10:255::1/128' };
  const addr = new Address6(s);
  const host = addr.correctForm();
  if (!s.includes('/')) return { error: `loopback ${s} has no prefix length`, fix: `write it as ${host}/128` };
  if (addr.subnetMask !== 128) return { error: `loopback ${s} is a /${addr.subnetMask}: an IPv6 loopback is a /128`, fix: `write the router's own address as a /128, e.g. ${host}/128` };
  if (addr.getScope() !== 'Global' || addr.isMulticast()) return { error: `loopback ${s} is not a global unicast address`, fix: 'use a global or unique-local address (fd00::/8), as routers advertise' };
  if (`${host}/128` !== s) return { error: `loopback "${s}" is not in canonical form`, fix: `write it as ${host}/128` };
  return { ok: true };
}

/** Check the timers present in a bfd mapping; the timers if all three are present and valid. */
function checkTimers(raw: RawTimers, at: Path, report: Report): BfdTimers | undefined {
  let ok = true;
  for (const key of TIMER_KEYS) {
    const v = raw[key];
    if (v === undefined) {
      ok = false;
      continue;
    }
    const range = key === 'detect-multiplier' ? BFD_MULTIPLIER_RANGE : BFD_INTERVAL_RANGE_MS;
    if (!isWholeIn(v, range)) {
      ok = false;
      report([...at, key], rangeProblem(key === 'detect-multiplier' ? key : `${key} (ms)`, v, range), hintFor([...at, key]));
    }
  }
  if (!ok) return undefined;
  return { transmitIntervalMs: raw['transmit-interval']!, receiveIntervalMs: raw['receive-interval']!, detectMultiplier: raw['detect-multiplier']! };
}

/** The lab's BFD: required with its timers, or not required with or without them (left out of the intent when it has none). */
function checkLabBfd(raw: RawIntent, report: Report): Intent['bfd'] {
  const b = raw.bfd;
  if (!b) return undefined;
  const present = TIMER_KEYS.filter((k) => b[k] !== undefined);
  const missing = TIMER_KEYS.filter((k) => b[k] === undefined);
  if (present.length === 0) {
    if (b.required) {
      report(['bfd'], 'BFD is required but its timers are not declared', `add the timers the sessions must run with: bfd: { required: true, transmit-interval: 300, receive-interval: 300, detect-multiplier: 3 }`);
    }
    return undefined;
  }
  const timers = checkTimers(b, ['bfd'], report);
  if (missing.length) {
    report(['bfd'], `declares ${present.join(', ')} but not ${missing.join(', ')}`, `declare all three timers, e.g. ${TIMERS_EXAMPLE}`);
  }
  return timers ? { required: b.required, timers } : undefined;
}

function checkFailover(raw: RawIntent, report: Report): Intent['failover'] {
  const out: Intent['failover'] = {};
  for (const c of FAILURE_CLASSES) {
    const f = raw.failover?.[c];
    if (!f) continue;
    const ms = f['loss-budget-ms'];
    if (!Number.isInteger(ms) || ms <= 0) {
      report(['failover', c, 'loss-budget-ms'], `loss-budget-ms ${ms} is not a whole number of milliseconds above 0`, hintFor(['failover', c, 'loss-budget-ms']));
    } else out[c] = { lossBudgetMs: ms };
  }
  return out;
}

/** `50%` or `0.5` → { relative: 0.5 }. */
function checkTolerance(figures: number | string, report: Report): FigureTolerance | undefined {
  const path: Path = ['tolerance', 'figures'];
  // Relative to the smaller of two figures: 100 % lets a figure double or halve; up to 1000 % for noisy labs.
  const fix = 'write a percentage from 0% to 1000% (100%) or a fraction from 0 to 10 (1)';
  if (typeof figures === 'number') {
    if (figures >= 0 && figures <= 10) return { relative: figures };
    const perCent = figures > 10 && figures <= 1000 ? `; for ${figures} per cent write ${figures}%` : '';
    report(path, `tolerance ${figures} is outside 0..10`, `${fix}${perCent}`);
    return undefined;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(figures);
  if (!m) {
    report(path, `tolerance "${figures}" is neither a percentage nor a fraction`, fix);
    return undefined;
  }
  const pct = Number(m[1]);
  if (pct > 1000) {
    report(path, `tolerance ${figures} is above 1000%`, fix);
    return undefined;
  }
  return { relative: pct / 100 };
}

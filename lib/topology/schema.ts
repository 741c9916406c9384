// The part of containerlab's topology schema netproof reads, as JSON Schema for ajv.
// Keys netproof does not use are allowed (a containerlab file may carry them) but ignored;
// the top level is closed as containerlab's is, so a typo there is caught.

const stringMap = {
  type: 'object',
  additionalProperties: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
} as const;

const nodeConfig = {
  type: 'object',
  properties: {
    kind: { type: 'string' },
    image: { type: 'string' },
    group: { type: 'string' },
    'startup-config': { type: 'string' },
    // containerlab's frr kind (PR 3382): the daemons to run, by name.
    extras: { type: 'object', properties: { frr: { type: 'object', properties: { daemons: { type: 'array', items: { type: 'string' } } } } } },
    binds: { type: 'array', items: { type: 'string' } },
    exec: { type: 'array', items: { type: 'string' } },
    labels: stringMap,
    sysctls: stringMap,
    env: stringMap,
  },
} as const;

const endpointObject = {
  type: 'object',
  required: ['node', 'interface'],
  properties: {
    node: { type: 'string' },
    interface: { type: 'string' },
    mac: { type: 'string' },
    ipv4: { type: 'string' },
    ipv6: { type: 'string' },
  },
  additionalProperties: false,
} as const;

const link = {
  type: 'object',
  required: ['endpoints'],
  properties: {
    type: { type: 'string' },
    endpoints: {
      type: 'array',
      minItems: 2,
      maxItems: 2,
      items: { anyOf: [{ type: 'string', pattern: '^[^:\\s]+:[^:\\s]+$' }, endpointObject] },
    },
    mtu: { type: 'integer', minimum: 68, maximum: 65535 },
    ipv4: { type: 'array', maxItems: 2, items: { type: 'string' } },
    ipv6: { type: 'array', maxItems: 2, items: { type: 'string' } },
  },
} as const;

export const topologySchema = {
  type: 'object',
  required: ['name', 'topology'],
  properties: {
    name: { type: 'string' },
    prefix: { type: 'string' },
    mgmt: { type: 'object' },
    settings: { type: 'object' },
    debug: { type: 'boolean' },
    topology: {
      type: 'object',
      required: ['nodes'],
      properties: {
        defaults: nodeConfig,
        kinds: { type: 'object', additionalProperties: nodeConfig },
        groups: { type: 'object', additionalProperties: nodeConfig },
        nodes: { type: 'object', minProperties: 1, additionalProperties: { anyOf: [{ type: 'null' }, nodeConfig] } },
        links: { type: 'array', items: link },
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
} as const;

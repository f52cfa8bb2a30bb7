// Dependency directions of docs/reference/contracts.md ("Shape of the code"), checked by `npm run depcheck`
// (part of `npm test`). Each layer lists what it may import inside src/; everything else in
// src/ is forbidden to it. Read: http → concept services → verification, notifications →
// delivery → db → config, core; contract is pure vocabulary anyone may use.
const concepts = ['accounts', 'sessions', 'recovery', 'actions', 'api-keys', 'admin', 'host-events'];
const allowed = {
  contract: [],
  core: ['contract'],
  i18n: [],
  config: ['core', 'contract'],
  db: ['config', 'core', 'contract'],
  delivery: ['db', 'config', 'core', 'contract'],
  security: ['db', 'config', 'core', 'contract'],
  verification: ['db', 'config', 'core', 'contract'],
  notifications: ['delivery', 'db', 'config', 'core', 'contract', 'i18n'],
  webhooks: ['delivery', 'db', 'config', 'core', 'contract'],
  ...Object.fromEntries(
    concepts.map((c) => [c, [...concepts, 'verification', 'notifications', 'webhooks', 'security', 'db', 'config', 'core', 'contract', 'i18n']]),
  ),
  http: [...concepts, 'verification', 'notifications', 'webhooks', 'delivery', 'security', 'db', 'config', 'core', 'contract', 'i18n'],
  cli: [...concepts, 'verification', 'notifications', 'webhooks', 'delivery', 'security', 'db', 'config', 'core', 'contract', 'i18n', 'ROOT'],
};
const layers = Object.keys(allowed);
const rootFiles = '^src/[^/]+\\.ts$';

const forbidden = [
  {
    name: 'no-circular',
    severity: 'error',
    comment: 'Circular imports hide the direction of a dependency.',
    from: {},
    to: { circular: true, dependencyTypesNot: ['type-only'] },
  },
  {
    name: 'framework-only-in-http',
    severity: 'error',
    comment: 'No concept imports Fastify (docs/reference/contracts.md); only http/ and the composition root do.',
    from: { path: '^src/', pathNot: ['^src/http/', rootFiles] },
    to: { path: 'node_modules/(fastify|@fastify)/' },
  },
  {
    name: 'only-composition-imports-http',
    severity: 'error',
    comment: 'Nothing imports http/ except the composition root (src/*.ts).',
    from: { path: '^src/', pathNot: ['^src/http/', rootFiles] },
    to: { path: '^src/http/' },
  },
  {
    name: 'ui-imports-contract-and-i18n-only',
    severity: 'error',
    comment: 'The web UI shares only the contract (schemas, error codes) and the i18n catalogues with the server (docs/reference/contracts.md: ui → contract).',
    from: { path: '^ui/' },
    to: { path: '^src/', pathNot: ['^src/contract/', '^src/i18n/[^/]+\\.json$'] },
  },
  {
    name: 'no-zod-in-the-ui-bundle',
    severity: 'error',
    comment:
      'zod compiles validators with new Function, which the CSP (no unsafe-eval) refuses in the browser: the UI imports types only from zod contracts, and values from zod-free modules (e.g. contract/security-event-types.ts). Indirect imports are caught by the browser tests, which fail on any CSP report.',
    from: { path: '^ui/' },
    to: { path: 'node_modules/zod/', dependencyTypesNot: ['type-only'] },
  },
  {
    name: 'nothing-imports-ui',
    severity: 'error',
    from: { path: '^src/' },
    to: { path: '^ui/' },
  },
  {
    name: 'nothing-imports-cli',
    severity: 'error',
    from: { path: '^src/', pathNot: '^src/cli/' },
    to: { path: '^src/cli/' },
  },
  ...layers.map((layer) => {
    const others = layers.filter((other) => other !== layer && !allowed[layer].includes(other));
    const rootForbidden = !allowed[layer].includes('ROOT');
    return {
      name: `layer-${layer}`,
      severity: 'error',
      comment: `${layer}/ may import only: ${allowed[layer].join(', ') || 'nothing of src/'}`,
      from: { path: `^src/${layer}/` },
      to: { path: [...others.map((o) => `^src/${o}/`), ...(rootForbidden ? [rootFiles] : [])] },
    };
  }),
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};

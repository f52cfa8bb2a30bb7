// Dependency directions of docs/architecture.md ("The order of the folders"), checked by
// `npm run depcheck` (part of `npm test`). Each folder lists what it may import inside src/;
// everything else in src/ is forbidden to it. The list is one order, from the bottom up: a folder
// imports only folders listed before it, so no two folders import each other, directly or
// through a third. What a lower folder needs from a higher one is handed in by the composition
// root (src/services.ts) through a port the lower folder names (e.g. recovery/owner-regains-control.ts).
const order = [
  // Vocabulary and plumbing.
  ['contract', []],
  ['i18n', []],
  ['core', ['contract']],
  ['config', ['core', 'contract']],
  ['db', ['config', 'core', 'contract']],
  // Mechanisms the concepts share.
  ['delivery', ['db', 'config', 'core', 'contract']],
  ['security', ['db', 'config', 'core', 'contract']],
  ['one-time-secrets', ['db', 'config', 'core', 'contract']],
  ['notifications', ['delivery', 'db', 'config', 'core', 'contract', 'i18n']],
  ['webhooks', ['delivery', 'db', 'config', 'core', 'contract']],
];
const shared = ['one-time-secrets', 'notifications', 'webhooks', 'security', 'db', 'config', 'core', 'contract', 'i18n'];
// The concept floor, bottom up: sessions < accounts < recovery < actions < admin.
order.push(
  ['sessions', shared],
  ['accounts', ['sessions', ...shared]],
  ['recovery', ['accounts', 'sessions', ...shared]],
  ['actions', ['recovery', 'accounts', 'sessions', ...shared]],
  ['api-keys', shared],
  ['host-events', ['accounts', 'sessions', ...shared]],
  ['oidc', ['accounts', 'sessions', 'delivery', ...shared]],
  ['admin', ['actions', 'recovery', 'accounts', 'sessions', ...shared]],
);
const concepts = ['sessions', 'accounts', 'recovery', 'actions', 'api-keys', 'host-events', 'oidc', 'admin'];
// The edges: HTTP and the command line over everything (the CLI also uses the composition root).
order.push(['http', [...concepts, 'delivery', ...shared]], ['cli', [...concepts, 'delivery', ...shared, 'ROOT']]);
const allowed = Object.fromEntries(order);
for (const [layer, may] of order) {
  const earlier = order
    .slice(
      0,
      order.findIndex(([l]) => l === layer),
    )
    .map(([l]) => l);
  const upward = may.filter((m) => m !== 'ROOT' && !earlier.includes(m));
  if (upward.length > 0) throw new Error(`.dependency-cruiser.cjs: ${layer} may not import ${upward.join(', ')}: they come later in the order`);
}
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

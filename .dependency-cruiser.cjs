/**
 * Cairn's rules of the house, as code: what may import what. `npm run lint:imports` checks them (CI runs it via
 * `npm run lint`). A rule here states an architectural boundary from DESIGN.md section 1; when one fails, move the code
 * to where it belongs rather than widening the rule.
 */
const SERVER_SIDE = '^(adapters|subgraphs|serving|sync|server|gateway|platform|emulators|cli|prisma)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'A cycle means two modules are one module with two names: it hides the order things must load in.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'production-never-imports-test',
      severity: 'error',
      comment: 'Tests depend on the product, never the other way round: fakes and fixtures must not ship.',
      from: { path: '^(?!test/|bench/)', pathNot: '[.](test|spec)[.][cm]?[jt]sx?$' },
      to: { path: '^test/' },
    },
    {
      name: 'adapters-stay-below-the-domain',
      severity: 'error',
      comment: 'Adapters speak adapters/core and the platform; the domain calls them, they never call back up.',
      from: { path: '^adapters/' },
      to: { path: '^(subgraphs|serving|sync|server|gateway)/' },
    },
    {
      name: 'platform-is-the-floor',
      severity: 'error',
      comment: 'The platform (database, jobs, logging, errors) is what everything stands on; it depends on none of it.',
      from: { path: '^platform/' },
      to: { path: '^(adapters|subgraphs|serving|sync|server|gateway|emulators)/' },
    },
    {
      name: 'subgraphs-know-no-process',
      severity: 'error',
      comment: 'A subgraph is assembled by the server; it does not know the server, the gateway or the command line.',
      from: { path: '^subgraphs/' },
      to: { path: '^(server|gateway|cli)/' },
    },
    {
      name: 'emulators-only-from-the-composition-root',
      severity: 'error',
      comment:
        'The emulators stand in for clouds: only the composition root (server/), tests and benches may start them.',
      from: { path: '^(?!server/|test/|bench/|emulators/)' },
      to: { path: '^emulators/' },
    },
    {
      name: 'web-imports-no-server-code',
      severity: 'error',
      comment: 'The web app is a GraphQL client: it shares the contract (generated types), never server modules.',
      from: { path: '^web/src/' },
      to: { path: SERVER_SIDE },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve is a broken build waiting to happen.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|prisma/generated|web/dist|web/src/gql|\\.cairn|test/artifacts)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    skipAnalysisNotInRules: true,
  },
};

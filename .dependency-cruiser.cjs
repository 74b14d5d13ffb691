// The layers of src/ and the imports between them, checked by `npm run lint` (depcruise).
// docs/architecture.md explains them for contributors; keep both in step.
//
// From the bottom up, each layer may import only from itself and the layers below it:
//   domain        src/domain/                     pure vocabulary and rules
//   platform      src/config/, logger, metrics,   process-wide plumbing every layer may use
//                 clock, tracing, free-port,
//                 describe-error
//   entities      src/entities/                   MikroORM entities and their read views
//   database      src/database/, src/migrations/  ORM options, migrations, transactions, SQL helpers
//   repositories  src/repositories/               all table SQL
//   services      src/services/, src/errors.ts    behaviour (errors.ts: the API error codes services throw)
//   transports    src/schema/, src/resolvers/,    GraphQL, HTTP, the sandbox routes and Meta emulator
//                 src/graphql/, src/http/,
//                 src/context.ts, src/sandbox/
//   composition   src/bootstrap.ts, main.ts,      wires everything; nothing imports it but itself
//                 worker.ts, src/cli/, mikro-orm.config.ts

const LAYERS = {
  domain: '^src/domain/',
  platform: '^src/(config/|(logger|metrics|clock|tracing|free-port|describe-error)\\.ts$)',
  entities: '^src/entities/',
  database: '^src/(database|migrations)/',
  repositories: '^src/repositories/',
  services: '^src/(services/|errors\\.ts$)',
  transports: '^src/(schema|resolvers|graphql|http|sandbox)/|^src/context\\.ts$',
  composition: '^src/(cli/|(bootstrap|main|worker|mikro-orm\\.config)\\.ts$)',
};
const ORDER = Object.keys(LAYERS);
const either = (names) => names.map((name) => `(${LAYERS[name]})`).join('|');
const below = (name) => ORDER.slice(0, ORDER.indexOf(name) + 1);

/** Why each layer may not look up; one rule per layer, so a violation names the layer it broke. */
const WHY_NOT_UPWARD = {
  domain: 'The domain is plain TypeScript shared by every layer: it imports nothing of ours, so a domain import never drags in the ORM, GraphQL or a service.',
  platform:
    'Config, logging, metrics, the clock and tracing are used by every layer; importing a layer above them would make that layer a dependency of everything.',
  entities: 'Entities describe stored rows; they must not depend on how rows are queried (database, repositories) or on behaviour and transports above them.',
  database: 'ORM options, migrations and transaction helpers sit under the repositories; they never reach for queries, services or transports.',
  repositories:
    'Repositories hold the table SQL and nothing else: a repository importing a service, the schema or a transport turns data access into behaviour (and invites cycles).',
  services:
    'Services are the behaviour; GraphQL, HTTP, resolvers and the schema are thin transports over them, so services never import a transport (or the wiring above it).',
  transports: 'Transports are thin adapters over the services; the wiring (bootstrap, main, worker, cli) imports them, never the other way round.',
};

const upwardRules = ORDER.filter((name) => WHY_NOT_UPWARD[name]).map((name) => ({
  name: `${name}-imports-only-below`,
  comment: WHY_NOT_UPWARD[name],
  severity: 'error',
  from: { path: LAYERS[name] },
  to: { path: '^src/', pathNot: either(below(name)) },
}));

const ASSIGNED = either(ORDER);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...upwardRules,
    {
      name: 'domain-uses-no-packages',
      comment:
        'The domain stays plain TypeScript (Node built-ins are fine): no GraphQL, no ORM, no other package, so importing a domain type never has a side effect.',
      severity: 'error',
      from: { path: LAYERS.domain },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-bundled', 'npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'transports-not-to-repositories',
      comment:
        'Transports reach data through a service, never a repository: otherwise the rules a service keeps (ownership checks, status transitions, events) can be bypassed by a route.',
      severity: 'error',
      from: { path: LAYERS.transports },
      to: { path: LAYERS.repositories },
    },
    {
      name: 'no-circular',
      comment: 'A cycle makes load order matter and hides which module owns what; type-only imports count too.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'layer-assigned-importer',
      comment:
        'Every module of src/ belongs to a layer: a new top-level folder or file must be added to LAYERS (and to docs/architecture.md) before it can import anything.',
      severity: 'error',
      from: { path: '^src/', pathNot: ASSIGNED },
      to: {},
    },
    {
      name: 'layer-assigned-imported',
      comment: 'Every module of src/ belongs to a layer: a module outside LAYERS cannot be imported either.',
      severity: 'error',
      from: {},
      to: { path: '^src/', pathNot: ASSIGNED },
    },
    {
      name: 'layer-assigned-orphan',
      comment: 'Every module of src/ belongs to a layer, even one that imports nothing and is imported by nothing.',
      severity: 'error',
      from: { orphan: true, path: '^src/', pathNot: ASSIGNED },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too: a layer must not even name a type from above.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // node16 resolution: TypeScript sources are imported without an extension.
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'], conditionNames: ['import', 'require', 'node', 'default'] },
    exclude: { path: '^src/.*\\.d\\.ts$' },
  },
};

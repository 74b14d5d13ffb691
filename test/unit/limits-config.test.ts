import { loadConfig } from '../../src/config';
import { CONFIG_TEST_DIR, configProblems, PRODUCTION_ENV } from '../helpers/config-env';

const dir = CONFIG_TEST_DIR;
const production = PRODUCTION_ENV;

describe('limits configuration', () => {
  it('has realistic defaults, and introspection only outside production unless INTROSPECTION says otherwise', () => {
    const config = loadConfig(production, { cwd: dir });
    expect(config.introspection).toBe(false);
    expect(config.limits).toEqual({
      enabled: true,
      operation: { maxAliases: 15, maxTokens: 2000, maxDepth: 8, maxDirectives: 10, maxCost: 5000, metaMutationCost: 1000 },
      serviceOperations: 3000,
      member: { windowSeconds: 60, operations: 300, oauthUrls: 20, metaMutations: 30 },
      syncMinIntervalSeconds: 30,
      oauthMaxPendingStates: 10,
      housekeeping: { intervalMs: 300_000, batchSize: 500 },
      websocket: { connectionInitTimeoutMs: 3000, maxMessageBytes: 65536, maxSubscriptionsPerSocket: 20, maxSocketsPerMember: 20 },
    });
    expect(loadConfig({ ...production, INTROSPECTION: 'true' }, { cwd: dir }).introspection).toBe(true);
    expect(loadConfig({}, { cwd: dir }).introspection).toBe(true);
    expect(loadConfig({ INTROSPECTION: 'off' }, { cwd: dir }).introspection).toBe(false);
  });

  it('reads every limit from the environment and reports bad values all at once', () => {
    const config = loadConfig(
      { ...production, GRAPHQL_MAX_ALIASES: '3', RATE_LIMIT_OPERATIONS: '0', SYNC_MIN_INTERVAL_SECONDS: '0', REQUEST_LIMITS: 'off' },
      { cwd: dir },
    );
    expect(config.limits.operation.maxAliases).toBe(3);
    expect(config.limits.member.operations).toBe(0);
    expect(config.limits.syncMinIntervalSeconds).toBe(0);
    expect(config.limits.enabled).toBe(false);
    const problems = configProblems({
      ...production,
      GRAPHQL_MAX_DEPTH: 'deep',
      OAUTH_MAX_PENDING_STATES: '0',
      REQUEST_LIMITS: 'maybe',
      WS_MAX_MESSAGE_BYTES: '10',
    }).join('\n');
    for (const name of ['GRAPHQL_MAX_DEPTH', 'OAUTH_MAX_PENDING_STATES', 'REQUEST_LIMITS', 'WS_MAX_MESSAGE_BYTES']) expect(problems).toContain(name);
  });
});

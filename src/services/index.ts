import type { MikroORM } from '@mikro-orm/postgresql';
import { Pool } from 'pg';
import type { Clock } from '../clock';
import type { Config, TokenKeyring } from '../config';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { AccountStatusService } from './accounts/account-status.service';
import { AccountService } from './accounts/account.service';
import { AccountDirectory } from './accounts/account-directory';
import { Authenticator } from './auth/authenticator';
import { ServiceAudit } from './auth/service-audit';
import { ConnectLinks } from './connect-links/connect-links.service';
import { EventRetention } from './events/event-retention';
import { StatusEventHub } from './events/status-event-hub';
import { FacebookClient } from './meta/facebook-client';
import { InstagramClient } from './meta/instagram-client';
import { MetaCallbackService } from './meta-callbacks/meta-callback.service';
import { MetaHttp } from './meta/meta-http';
import { createMetaTransport } from './meta/meta-transport';
import { RateLimitGate } from './meta/rate-limit-gate';
import { ConnectService } from './oauth/connect.service';
import { OAuthStateService } from './oauth/oauth-state.service';
import { TokenCipher } from './tokens/token-cipher';
import { TokenVault } from './tokens/token-vault';
import { LifecycleWorker } from './worker/lifecycle-worker';
import { WebhookDeliveryWorker } from './webhooks/delivery-worker';
import { ReconnectNotices } from './webhooks/reconnect-notices';
import { WebhookOutbox } from './webhooks/webhook-outbox';
import { SyncCoalescer } from './accounts/sync-coalescer';
import { MemberRateLimits } from './limits/member-rate-limits';
import { LimitRefusals } from './limits/refusals';
import { Housekeeping } from './worker/housekeeping';
import { PrivacyService } from './privacy/privacy.service';
import { InstagramContentClient } from './meta/content-client';
import { CreatorMetricsService } from './metrics/creator-metrics.service';
import { MetricsRefreshWorker } from './worker/metrics-refresh';
import { MetricsReader } from './metrics/metrics-reader';
import { metaCallSpan, type Tracing } from '../tracing';

/** Every service, wired once from a Config. Resolvers, REST routes and the worker all use these. */
export function createServices(deps: {
  config: Config;
  /** config.tokenKeys opened (the development key read or generated): see openTokenKeys. */
  tokenKeys: TokenKeyring;
  orm: MikroORM;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  databaseUrl: string;
  tracing?: Tracing;
}) {
  const { config, orm, clock, logger, metrics } = deps;
  const gate = new RateLimitGate({
    orm,
    databaseUrl: deps.databaseUrl,
    clock,
    logger,
    thresholdPercent: config.meta.usageThrottlePercent,
    events: {
      // The metric carries the scope's kind only: raw ids would be unbounded label values.
      onPause: (kind, scope, seconds, reason) => {
        metrics.rateLimitPauses.inc({ scope: kind });
        logger.warn({ scope, seconds, reason }, 'pausing calls to Meta for this scope to respect its rate limit');
      },
    },
  });
  const metaTransport = createMetaTransport();
  const metaHttp = new MetaHttp(config.meta, gate, clock, logger, metaTransport, {
    onCall: (host, _operation, outcome) => metrics.metaCalls.inc({ host, outcome }),
    span: deps.tracing?.enabled ? metaCallSpan(deps.tracing) : undefined,
  });
  const facebook = new FacebookClient(metaHttp, config.meta);
  const instagram = new InstagramClient(metaHttp, config.meta);
  const tokenCipher = new TokenCipher(deps.tokenKeys);
  const vault = new TokenVault(tokenCipher);
  // Status webhooks: queued by every status change (same transaction), sent by webhookWorker.
  const webhooks = new WebhookOutbox(clock, config.webhooks.endpoints, config.webhooks.retryHorizonHours);
  const status = new AccountStatusService(clock, webhooks);
  const accounts = new AccountService({
    clock,
    logger,
    status,
    vault,
    facebook,
    instagram,
    pricePolicy: config.pricePolicy,
    syncIntervalMs: config.worker.syncIntervalHours * 3600_000,
    metricsStaleMs: config.metrics.refresh ? config.metrics.refreshHours * 3600_000 : undefined,
  });
  const creatorMetrics = new CreatorMetricsService({
    clock,
    logger: logger.child({ component: 'creator-metrics' }),
    vault,
    facebook,
    content: new InstagramContentClient(metaHttp, config.meta),
    config: config.metrics,
  });
  const limits = config.limits;
  const states = new OAuthStateService(clock, config.oauth.stateTtlSeconds, limits.oauthMaxPendingStates, (count) => metrics.oauthStatesEvicted.inc(count));
  const connect = new ConnectService({
    clock,
    logger,
    states,
    accounts,
    facebook,
    instagram,
    redirectUris: config.oauth.redirectUris,
    extraScopes: (provider) => creatorMetrics.extraScopes(provider),
  });
  const connectLinks = new ConnectLinks({ clock, config: config.connectLinks, connect, publicUrl: config.publicUrl });
  if (config.connectLinks.inWebhooks) {
    webhooks.attachReconnectLinks((em, account) =>
      connectLinks.create(em, { memberId: account.memberId, accountId: account.id, returnUrl: config.connectLinks.returnUrls[0], createdBy: 'webhook' }),
    );
  }
  const events = new StatusEventHub(orm, deps.databaseUrl, logger, clock, config.statusEventRetentionDays);
  const retention = new EventRetention(orm, () => events.retentionCutoff(), logger.child({ component: 'event-retention' }));
  // Built here, started by bootstrap unless DISABLE_WORKER is set (or run alone: npm run worker).
  // What each background worker is built with; `component` names it in the logs.
  const workerBasics = (component: string) => ({ orm, clock, logger: logger.child({ component }), metrics });
  const worker = new LifecycleWorker({
    ...workerBasics('lifecycle-worker'),
    config: config.worker,
    accounts,
    vault,
    facebook,
    instagram,
    pricePolicy: config.pricePolicy,
    retention,
  });
  const metricsWorker = new MetricsRefreshWorker({
    ...workerBasics('metrics-refresh'),
    config: config.metrics,
    pollIntervalMs: config.worker.pollIntervalMs,
    leaseSeconds: config.worker.leaseSeconds,
    service: creatorMetrics,
    accounts,
  });
  const webhookWorker = new WebhookDeliveryWorker({
    ...workerBasics('webhook-delivery'),
    config: config.webhooks,
    outbox: webhooks,
    notices: new ReconnectNotices({ orm, clock, outbox: webhooks, noticeDays: config.webhooks.reconnectNoticeDays, worker: config.worker }),
    databaseUrl: deps.databaseUrl,
  });
  // Small pools of our own: the rate limiter's upserts never queue behind ORM work, and the sync
  // locks are held during a Meta call, which must not take connections from requests.
  const limiterPool = new Pool({ connectionString: deps.databaseUrl, max: 4 });
  const lockPool = new Pool({
    connectionString: deps.databaseUrl,
    max: 10,
    // A waiter gives up once the holder has had every attempt's timeout to finish.
    statement_timeout: config.meta.timeoutMs * config.meta.maxAttempts * 2 + 5_000,
  });
  for (const pool of [limiterPool, lockPool]) pool.on('error', (error) => logger.warn({ err: error.message }, 'an idle limits connection failed'));
  const refusals = new LimitRefusals(metrics, logger, limits.member.windowSeconds * 1000);
  const memberLimits = new MemberRateLimits(
    limiterPool,
    limits.enabled ? limits.member : { ...limits.member, operations: 0, oauthUrls: 0, metaMutations: 0 },
    refusals,
    limits.enabled ? limits.serviceOperations : 0,
  );
  const syncCoalescer = new SyncCoalescer({ accounts, lockPool, clock, metrics, logger, minIntervalMs: limits.syncMinIntervalSeconds * 1000 });
  const housekeeping = new Housekeeping({ orm, clock, logger: logger.child({ component: 'housekeeping' }), ...limits.housekeeping });
  return {
    config,
    orm,
    clock,
    logger,
    metrics,
    /** Every credential check: a bearer JWT → a member or a service principal. */
    auth: new Authenticator(config.jwt, { sandbox: config.sandbox }),
    gate,
    metaHttp,
    facebook,
    instagram,
    vault,
    status,
    accounts,
    states,
    connect,
    connectLinks,
    /** The cross-member read of the platform's backend (scope accounts:read). */
    directory: new AccountDirectory(),
    serviceAudit: new ServiceAudit(logger.child({ component: 'service-audit' })),
    events,
    retention,
    metaCallbacks: new MetaCallbackService({ orm, clock, logger, status, meta: config.meta, publicUrl: config.publicUrl }),
    /** Member erasure (npm run members -- erase): services.privacy.eraseMember(memberId) → counts. */
    privacy: new PrivacyService({ orm, clock, logger: logger.child({ component: 'privacy' }), vault, facebook }),
    worker,
    creatorMetrics,
    metricsWorker,
    metricsReader: new MetricsReader({ clock, pricePolicy: config.pricePolicy, historyRetentionDays: config.metrics.historyRetentionDays }),
    webhooks,
    webhookWorker,
    refusals,
    memberLimits,
    syncCoalescer,
    housekeeping,
    /** Closes the limiter's and the sync locks' connections and the pooled connections to Meta (after the HTTP server drained). */
    closePools: async () => {
      await Promise.all([limiterPool.end(), lockPool.end(), metaTransport.close()]);
    },
    tokenCipher,
  };
}

export type Services = ReturnType<typeof createServices>;

import type { MikroORM } from '@mikro-orm/postgresql';
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { AccountStatusService } from './accounts/account-status.service';
import { AccountService } from './accounts/account.service';
import { JwtVerifier } from './auth/jwt-verifier';
import { StatusChangeReader } from './events/status-change-reader';
import { StatusEventHub } from './events/status-event-hub';
import { FacebookClient } from './meta/facebook-client';
import { InstagramClient } from './meta/instagram-client';
import { MetaCallbackService } from './meta-callbacks/meta-callback.service';
import { MetaHttp } from './meta/meta-http';
import { RateLimitGate } from './meta/rate-limit-gate';
import { ConnectService } from './oauth/connect.service';
import { OAuthStateService } from './oauth/oauth-state.service';
import { TokenCipher } from './tokens/token-cipher';
import { TokenVault } from './tokens/token-vault';
import { LifecycleWorker } from './worker/lifecycle-worker';
import { metaCallSpan, type Tracing } from '../tracing';

/** Every service, wired once from a Config. Resolvers, REST routes and the worker all use these. */
export function createServices(deps: { config: Config; orm: MikroORM; clock: Clock; logger: Logger; metrics: Metrics; databaseUrl: string; tracing?: Tracing }) {
  const { config, orm, clock, logger, metrics } = deps;
  const gate = new RateLimitGate(clock, config.meta.usageThrottlePercent, {
    onPause: (scope, seconds) => {
      metrics.rateLimitPauses.inc({ scope: scope.startsWith('app:') ? scope : 'business' });
      logger.warn({ scope, seconds }, 'pausing calls to Meta to respect its rate limit');
    },
  });
  const metaHttp = new MetaHttp(config.meta, gate, clock, logger, {
    onCall: (host, _operation, outcome) => metrics.metaCalls.inc({ host, outcome }),
    span: deps.tracing?.enabled ? metaCallSpan(deps.tracing) : undefined,
  });
  const facebook = new FacebookClient(metaHttp, config.meta);
  const instagram = new InstagramClient(metaHttp, config.meta);
  const tokenCipher = new TokenCipher(config.tokenKeys);
  const vault = new TokenVault(tokenCipher);
  const status = new AccountStatusService(clock);
  const accounts = new AccountService({
    clock,
    logger,
    status,
    vault,
    facebook,
    instagram,
    pricePolicy: config.pricePolicy,
    syncIntervalMs: config.worker.syncIntervalHours * 3600_000,
  });
  const states = new OAuthStateService(clock, config.oauth.stateTtlSeconds);
  const connect = new ConnectService({ clock, logger, states, accounts, facebook, instagram, redirectUris: config.oauth.redirectUris });
  const events = new StatusEventHub(deps.databaseUrl, logger);
  // Built here, started by bootstrap unless DISABLE_WORKER is set (or run alone: npm run worker).
  const worker = new LifecycleWorker({
    orm,
    clock,
    logger: logger.child({ component: 'lifecycle-worker' }),
    metrics,
    config: config.worker,
    accounts,
    vault,
    facebook,
    instagram,
    pricePolicy: config.pricePolicy,
  });
  return {
    config,
    orm,
    clock,
    logger,
    metrics,
    jwt: new JwtVerifier(config.jwt),
    gate,
    metaHttp,
    facebook,
    instagram,
    vault,
    status,
    accounts,
    states,
    connect,
    events,
    statusChanges: new StatusChangeReader(orm),
    metaCallbacks: new MetaCallbackService({ orm, clock, logger, status, meta: config.meta, publicUrl: config.publicUrl }),
    worker,
    tokenCipher,
  };
}

export type Services = ReturnType<typeof createServices>;

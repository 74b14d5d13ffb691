import { forkEm } from '../database/transaction';
import { Router } from 'express';
import type { Services } from '../services';
import { printSortedSchema } from '../graphql/schema';
import { recordAccountStats } from '../services/accounts/account-stats';
import { recordDeletionStats } from '../services/privacy/deletion-stats';
import { recordStoredTokenStats } from '../services/tokens/token-stats';
import { recordWebhookStats } from '../services/webhooks/webhook-stats';

/** Liveness, readiness, the schema file and metrics. No authentication: nothing here is personal. */
export function operationalRoutes(services: Services): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    // Not ready while the database does not answer, or while status events cannot be delivered
    // (the LISTEN connection is down): a load balancer should send subscribers elsewhere meanwhile.
    const database = (await services.orm.checkConnection()).ok ? 'ok' : 'unreachable';
    const listenerProblem = services.events.notListeningReason;
    if (database === 'ok' && !listenerProblem) {
      res.json({ status: 'ready', database, statusListener: 'ok' });
      return;
    }
    const reason = database !== 'ok' ? 'the database does not answer' : listenerProblem;
    res.status(503).json({ status: 'unavailable', reason, database, statusListener: listenerProblem ? 'reconnecting' : 'ok' });
  });
  const sdl = printSortedSchema();
  router.get('/schema.graphql', (_req, res) => {
    res.type('text/plain; charset=utf-8').send(sdl);
  });
  router.get('/metrics', async (_req, res) => {
    // Counted at scrape time from the database, so every instance reports the same truth.
    const em = forkEm(services.orm);
    await recordAccountStats(em, services.metrics);
    await recordWebhookStats(em, services.clock.now(), services.metrics);
    // At scrape time too: the one place it is set, so it is never stale.
    services.metrics.subscriptions.set(services.events.subscriberCount);
    await recordStoredTokenStats(em, services.metrics, services.tokenCipher);
    await recordDeletionStats(em, services.metrics);
    res.type(services.metrics.registry.contentType).send(await services.metrics.registry.metrics());
  });
  return router;
}

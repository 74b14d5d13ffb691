import { forkEm } from '../database/transaction';
import { countAccountsByStatus } from '../repositories/social-account.repository';
import { storedTokensByKey } from '../repositories/stored-token.repository';
import { completedDeletionCounts } from '../repositories/privacy.repository';
import { Router } from 'express';
import type { Services } from '../services';
import { printSortedSchema } from '../graphql/schema';
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
    const counts = await countAccountsByStatus(em);
    services.metrics.accountsByStatus.reset();
    for (const { status, n } of counts) services.metrics.accountsByStatus.set({ status }, n);
    await recordWebhookStats(em, services.clock.now(), services.metrics);
    // At scrape time too: the one place it is set, so it is never stale.
    services.metrics.subscriptions.set(services.events.subscriberCount);
    services.metrics.storedTokens.reset();
    for (const { keyId, n } of await storedTokensByKey(em)) {
      services.metrics.storedTokens.set({ key_id: keyId, key: services.tokenCipher.keyStatus(keyId) }, n);
    }
    // Every kind is shown, 0 included, so an alert on "no deletion completed" has a series to watch.
    const deletions = new Map((await completedDeletionCounts(em)).map((r) => [r.kind, r.n]));
    for (const kind of ['meta_data_deletion_facebook', 'meta_data_deletion_instagram', 'member_erasure']) {
      services.metrics.personalDataDeletions.set({ kind }, deletions.get(kind) ?? 0);
    }
    res.type(services.metrics.registry.contentType).send(await services.metrics.registry.metrics());
  });
  return router;
}

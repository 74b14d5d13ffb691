import { Router } from 'express';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../services';
import { storedTokensByKey } from '../services/tokens/key-rotation';
import { printSortedSchema } from '../graphql/schema';

/** Liveness, readiness, the schema file and metrics. No authentication: nothing here is personal. */
export function operationalRoutes(services: Services): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await services.orm.em.fork().execute('select 1');
      res.json({ status: 'ready', database: 'ok', statusListener: services.events.listening ? 'ok' : 'reconnecting' });
    } catch {
      res.status(503).json({ status: 'unavailable', database: 'unreachable' });
    }
  });
  const sdl = printSortedSchema();
  router.get('/schema.graphql', (_req, res) => {
    res.type('text/plain; charset=utf-8').send(sdl);
  });
  router.get('/metrics', async (_req, res) => {
    // Counted at scrape time from the database, so every instance reports the same truth.
    const counts = await services.orm.em
      .fork()
      .execute<Array<{ status: string; n: number }>>('select connection_status as status, count(*)::int as n from social_account group by connection_status');
    services.metrics.accountsByStatus.reset();
    for (const { status, n } of counts) services.metrics.accountsByStatus.set({ status }, n);
    // At scrape time too: the socket hooks set it on connect and complete, not when a subscription starts.
    services.metrics.subscriptions.set(services.events.subscriberCount);
    services.metrics.storedTokens.reset();
    for (const { keyId, n } of await storedTokensByKey(services.orm.em.fork() as EntityManager)) {
      services.metrics.storedTokens.set({ key_id: keyId, key: services.tokenCipher.keyStatus(keyId) }, n);
    }
    res.type(services.metrics.registry.contentType).send(await services.metrics.registry.metrics());
  });
  return router;
}

// npm run webhooks -- redeliver --since <ISO time> | --event <webhook-id>
// Queues status webhooks again for every endpoint in STATUS_WEBHOOK_URL; the worker sends them.
import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { loadConfigOrExit } from '../config';
import { ormOptions } from '../database/orm-options';
import { forkEm } from '../database/transaction';
import { redeliver } from '../services/webhooks/redeliver';

const USAGE = 'usage: npm run webhooks -- redeliver --since <ISO 8601 time> | --event <webhook-id>';

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  const flags = new Map<string, string>();
  for (let i = 0; i < rest.length; i += 2) flags.set(rest[i], rest[i + 1]);
  const sinceRaw = flags.get('--since');
  const eventId = flags.get('--event');
  const since = sinceRaw ? new Date(sinceRaw) : undefined;
  if (
    command !== 'redeliver' ||
    (!since && !eventId) ||
    (since && Number.isNaN(since.getTime())) ||
    [...flags.keys()].some((k) => k !== '--since' && k !== '--event')
  ) {
    console.error(USAGE);
    return 64;
  }
  const config = loadConfigOrExit(process.env);
  if (!config.databaseUrl) {
    console.error('DATABASE_URL is required: redelivery writes to the database the worker reads.');
    return 78;
  }
  const endpoints = config.webhooks.sandboxReceiver ? [`${config.publicUrl}/sandbox/webhooks/receive`] : config.webhooks.endpoints;
  if (endpoints.length === 0) {
    console.error('STATUS_WEBHOOK_URL is not set: there is no endpoint to redeliver to.');
    return 78;
  }
  const orm = await MikroORM.init(ormOptions(config.databaseUrl, undefined, 2));
  try {
    const queued = await redeliver(forkEm(orm), { now: new Date(), endpoints, retryHorizonHours: config.webhooks.retryHorizonHours, since, eventId });
    console.log(`queued ${queued} deliver${queued === 1 ? 'y' : 'ies'} to ${endpoints.length} endpoint${endpoints.length === 1 ? '' : 's'}`);
    return 0;
  } finally {
    await orm.close(true);
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    // MikroORM prefixes the driver's message with the statement: the operator needs the cause.
    console.error(`redeliver failed: ${(error as Error).message.split(' - ').pop()}`);
    process.exit(1);
  },
);

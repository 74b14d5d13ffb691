// npm run webhooks -- redeliver --since <ISO time> | --event <webhook-id>
// Queues status webhooks again for every endpoint in STATUS_WEBHOOK_URL (in sandbox mode, the
// built-in receiver); the worker sends them. DATABASE_URL, or the development database.
import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { loadConfigOrExit } from '../config';
import { ormOptions } from '../database/orm-options';
import { forkEm } from '../database/transaction';
import { startEmbeddedPostgres } from '../database/embedded-postgres';
import { createLogger } from '../logger';
import { sandboxReceiverEndpoint } from '../sandbox/webhook-receiver';
import { redeliver } from '../services/webhooks/redeliver';
import { describeError } from '../describe-error';

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
  // The same endpoint the running sandbox server registers for its built-in receiver.
  const endpoints = config.webhooks.sandboxReceiver ? [sandboxReceiverEndpoint(config.port)] : config.webhooks.endpoints;
  if (endpoints.length === 0) {
    console.error('STATUS_WEBHOOK_URL is not set: there is no endpoint to redeliver to.');
    return 78;
  }
  const logger = createLogger(config.logLevel, undefined, { format: config.logFormat, production: config.production });
  // Without DATABASE_URL: the development database (a running `npm start`'s, or started for this).
  const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir, config.embeddedPostgresPort, logger);
  try {
    const orm = await MikroORM.init(ormOptions(config.databaseUrl ?? embedded!.url, undefined, 2));
    try {
      const queued = await redeliver(forkEm(orm), { now: new Date(), endpoints, retryHorizonHours: config.webhooks.retryHorizonHours, since, eventId });
      console.log(`queued ${queued} deliver${queued === 1 ? 'y' : 'ies'} to ${endpoints.length} endpoint${endpoints.length === 1 ? '' : 's'}`);
      return 0;
    } finally {
      await orm.close(true);
    }
  } finally {
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    // MikroORM prefixes the driver's message with the statement: the operator needs the cause.
    console.error(`redeliver failed: ${describeError(error).split(' - ').pop()}`);
    process.exit(1);
  },
);

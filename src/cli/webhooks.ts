// npm run webhooks -- redeliver --since <ISO time> | --event <webhook-id>
// Queues status webhooks again for every endpoint in STATUS_WEBHOOK_URL (in sandbox mode, the
// built-in receiver); the worker sends them. DATABASE_URL, or the development database.
import 'reflect-metadata';
import { loadConfigOrExit } from '../config';
import { runCommand, withCliDatabase } from './cli-database';
import { forkEm } from '../database/transaction';
import { createLogger } from '../logger';
import { sandboxReceiverEndpoint } from '../sandbox/webhook-receiver';
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
  // The same endpoint the running sandbox server registers for its built-in receiver.
  const endpoints = config.webhooks.sandboxReceiver ? [sandboxReceiverEndpoint(config.port)] : config.webhooks.endpoints;
  if (endpoints.length === 0) {
    console.error('STATUS_WEBHOOK_URL is not set: there is no endpoint to redeliver to.');
    return 78;
  }
  const logger = createLogger(config.logLevel, undefined, { format: config.logFormat, production: config.production });
  return withCliDatabase(config, logger, 2, async (orm) => {
    const queued = await redeliver(forkEm(orm), { now: new Date(), endpoints, retryHorizonHours: config.webhooks.retryHorizonHours, since, eventId });
    console.log(`queued ${queued} deliver${queued === 1 ? 'y' : 'ies'} to ${endpoints.length} endpoint${endpoints.length === 1 ? '' : 's'}`);
    return 0;
  });
}

runCommand(main, 'redeliver');

// npm run members -- erase <memberId>: erases everything of a member who left the platform (their
// accounts, tokens, status events, webhook events, OAuth states, rate-limit rows), revoking a Meta
// grant only when no other member relies on it. Idempotent: run it again and it removes nothing.
// Prints what it removed. Exit code 0 when done, 64 on bad usage, 1 on failure.
import 'reflect-metadata';
import { systemClock } from '../clock';
import { loadConfigOrExit } from '../config';
import { runCommand, withCliDatabase } from './cli-database';
import { createLogger } from '../logger';
import { createMetrics } from '../metrics';
import { createServices } from '../services';
import type { MemberErasureCounts } from '../services/privacy/privacy.service';
import { openTokenKeys } from '../services/tokens/token-keys';

const USAGE = 'usage: npm run members -- erase <memberId>';

const LABELS: Record<keyof MemberErasureCounts, string> = {
  accounts: 'linked accounts',
  grants: 'Meta grants (with their tokens)',
  grantsRevoked: 'Meta grants revoked at Meta',
  statusEvents: 'status events',
  webhookEvents: 'webhook events',
  webhookDeliveries: 'webhook deliveries',
  oauthStates: 'pending OAuth states',
  rateLimitWindows: 'rate-limit windows',
  rateLimitPauses: 'Meta rate-limit pauses',
  eventSequences: 'event sequence rows',
};

async function main(): Promise<number> {
  const [command, memberId, ...rest] = process.argv.slice(2);
  if (command !== 'erase' || !memberId || rest.length > 0) {
    console.error(USAGE);
    return 64;
  }
  const config = loadConfigOrExit(process.env);
  const logger = createLogger(config.logLevel, undefined, { format: config.logFormat, production: config.production });
  return withCliDatabase(config, logger, 2, async (orm, databaseUrl) => {
    const services = createServices({
      config,
      tokenKeys: openTokenKeys(config.tokenKeys),
      orm,
      clock: systemClock,
      logger,
      metrics: createMetrics(),
      databaseUrl,
    });
    try {
      const counts = await services.privacy.eraseMember(memberId);
      const removed = Object.values(counts).some((n) => n > 0);
      console.log(removed ? `Erased member ${memberId}:` : `Nothing left to erase for member ${memberId}:`);
      for (const [key, label] of Object.entries(LABELS)) console.log(`  ${label.padEnd(32)} ${counts[key as keyof MemberErasureCounts]}`);
      return 0;
    } finally {
      await services.closePools();
    }
  });
}

runCommand(main, 'erase');

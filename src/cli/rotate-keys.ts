// npm run rotate-keys [-- --batch-size=N]: re-encrypts every stored token under the current
// TOKEN_ENCRYPTION_KEY. Run it after moving the previous key to TOKEN_ENCRYPTION_OLD_KEYS and
// restarting the service with the new one; safe to interrupt and to run again, even while the
// service is up. Exit code 0 when every token is under the current key, 2 when some cannot be
// opened with any configured key (listed by key id), 1 on failure.
import 'reflect-metadata';
import { loadConfigOrExit } from '../config';
import { withCliDatabase } from './cli-database';
import { createLogger } from '../logger';
import { rotateStoredTokens, type RotationCounts } from '../services/tokens/key-rotation';
import { TokenCipher } from '../services/tokens/token-cipher';
import { openTokenKeys } from '../services/tokens/token-keys';
import { describeError } from '../describe-error';

function batchSizeFromArgs(args: string[]): number {
  const raw = args.find((a) => a.startsWith('--batch-size='))?.split('=')[1] ?? '200';
  const size = Number(raw);
  if (!Number.isInteger(size) || size < 1 || size > 10_000) {
    console.error('--batch-size must be a whole number between 1 and 10000');
    process.exit(64);
  }
  return size;
}

const line = (label: string, c: RotationCounts) =>
  `${label.padEnd(15)} rotated ${c.rotated}, already current ${c.alreadyCurrent}, changed meanwhile ${c.changedMeanwhile}, unreadable ${Object.values(c.unreadable).reduce((a, b) => a + b, 0)}`;

async function main(): Promise<void> {
  const batchSize = batchSizeFromArgs(process.argv.slice(2));
  const config = loadConfigOrExit(process.env);
  const logger = createLogger(config.logLevel, undefined, { format: config.logFormat, production: config.production });
  const exitCode = await withCliDatabase(config, logger, 2, async (orm) => {
    const cipher = new TokenCipher(openTokenKeys(config.tokenKeys));
    process.stdout.write(`Re-encrypting stored tokens under key "${cipher.currentKeyId}" in batches of ${batchSize}\n`);
    const report = await rotateStoredTokens(orm, cipher, { batchSize, logger });
    process.stdout.write(`${line('Meta grants:', report.grant)}\n${line('Page tokens:', report.account)}\n`);
    const unreadable: Record<string, number> = {};
    for (const counts of [report.grant, report.account]) for (const [id, n] of Object.entries(counts.unreadable)) unreadable[id] = (unreadable[id] ?? 0) + n;
    if (Object.keys(unreadable).length > 0) {
      const list = Object.entries(unreadable)
        .map(([id, n]) => `${n} under key "${id}"`)
        .join(', ');
      process.stdout.write(
        `Cannot open ${list}: no configured key opens them. Add that key to TOKEN_ENCRYPTION_OLD_KEYS and run this again; ` +
          'otherwise those accounts report that they need reconnecting the next time they are used.\n',
      );
      return 2;
    }
    process.stdout.write(
      `Every stored token is under key "${cipher.currentKeyId}": keys in TOKEN_ENCRYPTION_OLD_KEYS can be removed once every process runs with this key.\n`,
    );
    return 0;
  });
  process.exit(exitCode);
}

main().catch((error) => {
  console.error(`Key rotation failed: ${describeError(error)}`);
  process.exit(1);
});

import type { Clock } from '../clock';
import type { Config } from '../config';
import { isPrettyLogger, type Logger } from '../logger';
import { startMetaEmulator, type MetaEmulator } from './emulator';

/**
 * Sandbox mode: no Meta credentials outside production. The built-in emulator plays Meta on a
 * loopback port and every base URL points at it, so the whole flow works on a laptop.
 */
export async function startSandbox(config: Config, clock: Clock, logger: Logger): Promise<{ config: Config; emulator: MetaEmulator }> {
  const emulator = await startMetaEmulator({
    facebookApp: config.meta.facebook,
    instagramApp: config.meta.instagram,
    now: () => clock.now().getTime(),
    seed: true,
    logger,
  });
  const lines = [
    'SANDBOX MODE: no Meta credentials are set, so this server talks to',
    `the built-in Meta emulator at ${emulator.url}, not to Meta.`,
    'Accounts, tokens and dialogs are fake. Never use this in production.',
    ...config.developmentDefaults.map((d) => `- ${d}`),
  ];
  if (isPrettyLogger(logger)) {
    // A terminal: a framed block on lines of its own, impossible to miss.
    const width = Math.max(...lines.map((l) => l.length)) + 2;
    const rule = '='.repeat(width + 2);
    logger.warn(`\n${rule}\n${lines.map((l) => `| ${l.padEnd(width - 1)}|`).join('\n')}\n${rule}`);
  } else {
    // A log pipeline: one line, with the facts as fields (no escaped newlines to squint at).
    logger.warn({ sandbox: true, emulator: emulator.url, developmentDefaults: config.developmentDefaults }, lines.slice(0, 3).join(' '));
  }
  return { config: { ...config, meta: { ...config.meta, urls: emulator.urls } }, emulator };
}

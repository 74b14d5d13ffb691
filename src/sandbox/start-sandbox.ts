import type { Clock } from '../clock';
import type { Config } from '../config';
import type { Logger } from '../logger';
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
  const banner = [
    '==================================================================',
    ' SANDBOX MODE: no Meta credentials are set, so this server talks to',
    ` the built-in Meta emulator at ${emulator.url}, not to Meta.`,
    ' Accounts, tokens and dialogs are fake. Never use this in production.',
    ...config.developmentDefaults.map((d) => ` - ${d}`),
    '==================================================================',
  ].join('\n');
  logger.warn({ emulator: emulator.url }, `\n${banner}`);
  return { config: { ...config, meta: { ...config.meta, urls: emulator.urls } }, emulator };
}

import { startMetaEmulator } from '../src/sandbox/emulator';
import { BENCH_APPS } from './lib/env';
import { serveParent } from './lib/ipc';

/**
 * The Meta emulator in its own process, so Meta's side of a connect does not run on the server
 * under test's event loop. Driven over its HTTP control API (POST /_control/<method>).
 */
serveParent(async () => {
  const emulator = await startMetaEmulator({ facebookApp: BENCH_APPS.facebook, instagramApp: BENCH_APPS.instagram });
  return { info: { url: emulator.url, urls: emulator.urls }, handlers: {}, onStop: () => emulator.close() };
});

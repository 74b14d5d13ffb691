import 'reflect-metadata';
import { bootstrap } from '../src/bootstrap';
import { loadConfigOrExit } from '../src/config';
import { serveParent } from './lib/ipc';

/**
 * A lifecycle worker under test, in its own process: the real services built by bootstrap() from
 * loadConfig(), with the background loop off (DISABLE_WORKER=1) so the runner decides when a
 * sweep starts. `sweep` runs LifecycleWorker.runOnce until nothing is due and returns its report.
 */
serveParent(async () => {
  const config = loadConfigOrExit(process.env);
  const app = await bootstrap(config);
  return {
    info: { url: app.url, pid: process.pid },
    handlers: {
      sweep: async () => {
        const started = performance.now();
        const report = await app.services.worker.runOnce();
        return { ...report, ms: performance.now() - started };
      },
    },
    onStop: () => app.close(),
  };
});

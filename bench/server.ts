import 'reflect-metadata';
import { bootstrap } from '../src/bootstrap';
import { loadConfigOrExit } from '../src/config';
import type { SocialConnectionStatus } from '../src/domain/social-account';
import { runInProcess, type InProcessRequest } from './lib/in-process';
import { measureMemory, serveParent } from './lib/ipc';
import { wallClockMs } from './lib/stats';

/**
 * The server under test: the real app, built by bootstrap() from loadConfig() exactly as
 * src/main.ts does, in its own process. The runner passes the environment (production mode,
 * worker off, LOG_LEVEL=warn) and talks to it over IPC for bench-only diagnostics: heap/RSS
 * after GC (with --expose-gc), subscriber count, in-process layer timings, and worker sweeps.
 */
serveParent(async () => {
  const config = loadConfigOrExit(process.env);
  const app = await bootstrap(config);
  return {
    info: { url: app.url, pid: process.pid },
    handlers: {
      memory: () => ({ ...measureMemory(), subscribers: app.services.events.subscriberCount }),
      subscribers: () => app.services.events.subscriberCount,
      inProcess: (request: InProcessRequest) => runInProcess(app, request),
      // Scenario 4: one LifecycleWorker.runOnce (the background loop is off: DISABLE_WORKER=1).
      sweep: async () => {
        const started = performance.now();
        const cpuBefore = process.cpuUsage(); // this whole process, all threads (GC included)
        const report = await app.services.worker.runOnce();
        const cpu = process.cpuUsage(cpuBefore);
        return { ...report, ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000 };
      },
      // Scenario 6: status changes through the real transition (outbox included), 8 at a time.
      webhookChanges: async ({ ids, to, reason, then }: { ids: string[]; to: SocialConnectionStatus; reason: string; then?: SocialConnectionStatus }) => {
        const queue = [...ids];
        await Promise.all(
          Array.from({ length: Math.min(8, ids.length) }, async () => {
            for (let id = queue.shift(); id; id = queue.shift()) {
              await app.services.accounts.changeStatus(app.orm.em.fork(), id, to, reason);
              if (then) await app.services.accounts.changeStatus(app.orm.em.fork(), id, then, null);
            }
          }),
        );
      },
      // Scenario 6: the delivery loop alone (DISABLE_WORKER=1 keeps the lifecycle worker off).
      startWebhooks: () => app.services.webhookWorker.start(),
      // Listener catch-up: the LISTEN connection goes away (as in a database restart) while the
      // database keeps accepting commits, then comes back; subscribers stay attached throughout.
      pauseListener: async () => {
        await app.services.events.stop();
        return { listening: app.services.events.listening };
      },
      resumeListener: async () => {
        await app.services.events.start();
        return { listeningAt: wallClockMs() };
      },
    },
    onStop: () => app.close(),
  };
});

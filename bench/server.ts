import 'reflect-metadata';
import { bootstrap } from '../src/bootstrap';
import { loadConfigOrExit } from '../src/config';
import { runInProcess, type InProcessRequest } from './lib/in-process';
import { measureMemory, serveParent } from './lib/ipc';

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
    },
    onStop: () => app.close(),
  };
});

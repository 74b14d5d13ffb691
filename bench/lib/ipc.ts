import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/**
 * Request/response over the IPC channel between the bench runner and its child processes
 * (server under test, baselines, emulator, WebSocket clients). Each child is a compiled script
 * next to this file's parent directory (dist/bench/bench/*.js).
 */

interface Request {
  id: number;
  type: string;
  payload?: unknown;
}

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
type Announcement = { type: 'ready'; info: unknown } | { type: 'fatal'; error: string };

export interface ChildOptions {
  /** Label for error messages. */
  name: string;
  env?: Record<string, string | undefined>;
  /** Command-line arguments of the script. */
  args?: string[];
  /** Node flags (e.g. --expose-gc, --cpu-prof). */
  execArgv?: string[];
  readyTimeoutMs?: number;
}

/** A benchmark child process, started with `BenchChild.start` and driven by `request`. */
export class BenchChild<Ready = unknown> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly name: string,
    readonly info: Ready,
    exited: Promise<number | null>,
  ) {
    this.exited = exited;
    child.on('message', (message: Reply) => {
      if (typeof message !== 'object' || message === null || !('id' in message)) return;
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`${name}: ${message.error}`));
    });
    void exited.then((code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`${name} exited (code ${code}) with a request pending`));
      this.pending.clear();
    });
  }

  /** Starts `bench/<script>.js` (compiled) and waits for its ready announcement. */
  static async start<Ready>(script: string, options: ChildOptions): Promise<BenchChild<Ready>> {
    const child = fork(path.join(__dirname, '..', `${script}.js`), options.args ?? [], {
      env: { ...process.env, ...options.env },
      execArgv: options.execArgv ?? [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const info = await new Promise<Ready>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${options.name} did not become ready within ${options.readyTimeoutMs ?? 60_000} ms`));
      }, options.readyTimeoutMs ?? 60_000);
      const onMessage = (message: Announcement) => {
        if (message?.type === 'ready') {
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(message.info as Ready);
        } else if (message?.type === 'fatal') {
          clearTimeout(timer);
          reject(new Error(`${options.name} failed to start: ${message.error}`));
        }
      };
      child.on('message', onMessage);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${options.name} exited during startup (code ${code})`));
      });
    });
    return new BenchChild<Ready>(child, options.name, info, exited);
  }

  get pid(): number {
    return this.child.pid!;
  }

  request<T>(type: string, payload?: unknown, timeoutMs = 120_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: "${type}" got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.send({ id, type, payload } satisfies Request);
    });
  }

  /** Asks the child to shut down cleanly (so --cpu-prof writes its profile); kills it if it hangs. */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const killer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      await this.request('stop', undefined, timeoutMs).catch(() => undefined);
      await this.exited;
    } finally {
      clearTimeout(killer);
    }
  }

  /** Immediate kill, for cleanup after a failure. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

export type Handlers = Record<string, (payload: never) => unknown>;

/**
 * The child side: answers requests with `handlers`, announces `ready` once `start` resolved, and
 * exits after answering `stop` (running `onStop` first) or when the runner goes away.
 */
export function serveParent<Info>(start: () => Promise<{ info: Info; handlers: Handlers; onStop?: () => Promise<void> }>): void {
  const send = (message: Reply | Announcement, then?: () => void) => process.send?.(message, undefined, undefined, () => then?.());
  process.on('disconnect', () => process.exit(1));
  start().then(
    ({ info, handlers, onStop }) => {
      process.on('message', (request: Request) => {
        if (request.type === 'stop') {
          void (async () => {
            await onStop?.().catch((error: unknown) => console.error(error));
            send({ id: request.id, ok: true, result: null }, () => process.exit(0));
          })();
          return;
        }
        const handler = handlers[request.type] as ((payload: unknown) => unknown) | undefined;
        if (!handler) {
          send({ id: request.id, ok: false, error: `unknown request ${request.type}` });
          return;
        }
        Promise.resolve()
          .then(() => handler(request.payload))
          .then(
            (result) => send({ id: request.id, ok: true, result: result ?? null }),
            (error: unknown) => send({ id: request.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
          );
      });
      send({ type: 'ready', info });
    },
    (error: unknown) => {
      send({ type: 'fatal', error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1));
    },
  );
}

/** Heap and RSS after two full GCs (the child must run with --expose-gc). */
export function measureMemory(): { heapUsed: number; rss: number; external: number; arrayBuffers: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('start this process with --expose-gc to measure memory');
  gc();
  gc();
  const { heapUsed, rss, external, arrayBuffers } = process.memoryUsage();
  return { heapUsed, rss, external, arrayBuffers };
}

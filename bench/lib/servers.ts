import type { MetaUrls } from '../../src/config';
import { serverEnv } from './env';
import { BenchChild } from './ipc';

export interface AppServer {
  url: string;
  pid: number;
  child: BenchChild<{ url: string; pid: number }>;
  memory(): Promise<{ heapUsed: number; rss: number; subscribers: number }>;
  subscribers(): Promise<number>;
  stop(): Promise<void>;
}

export interface LaunchSettings {
  databaseUrl: string;
  metaUrls: MetaUrls;
  /** Write a V8 CPU profile of the server to resultsDir (git-ignored *.cpuprofile). */
  profile: boolean;
  resultsDir: string;
  runId: string;
}

/**
 * The app in its own Node process (bench/server.ts → bootstrap()), with --expose-gc for the
 * memory probe and, with --profile, --cpu-prof. One per scenario, so heaps and profiles do not mix.
 */
export async function startAppServer(settings: LaunchSettings, name: string, extraEnv: Record<string, string> = {}): Promise<AppServer> {
  const execArgv = ['--expose-gc'];
  if (settings.profile) {
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${settings.resultsDir}`, `--cpu-prof-name=${settings.runId}-${name}.cpuprofile`);
  }
  const child = await BenchChild.start<{ url: string; pid: number }>('server', {
    name: `server (${name})`,
    env: serverEnv(settings.databaseUrl, settings.metaUrls, extraEnv),
    execArgv,
  });
  return {
    url: child.info.url,
    pid: child.pid,
    child,
    memory: () => child.request('memory'),
    subscribers: () => child.request('subscribers'),
    stop: () => child.stop(),
  };
}

/** The Meta emulator's process and its HTTP control API. */
export class EmulatorProcess {
  private constructor(
    private readonly child: BenchChild<{ url: string; urls: MetaUrls }>,
    readonly url: string,
    readonly urls: MetaUrls,
  ) {}

  static async start(): Promise<EmulatorProcess> {
    const child = await BenchChild.start<{ url: string; urls: MetaUrls }>('emulator', { name: 'Meta emulator' });
    return new EmulatorProcess(child, child.info.url, child.info.urls);
  }

  get pid(): number {
    return this.child.pid;
  }

  /** POST /_control/<method> with positional arguments; returns the method's result. */
  async control<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
    const response = await fetch(`${this.url}/_control/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(args),
    });
    const body = (await response.json()) as { result?: T; error?: string };
    if (!response.ok) throw new Error(`emulator ${method}: ${body.error ?? response.status}`);
    return body.result as T;
  }

  /** GET /_control/calls: every call Meta answered since the last resetCalls. */
  async calls(): Promise<Array<{ host: string; method: string; path: string }>> {
    const response = await fetch(`${this.url}/_control/calls`);
    return (await response.json()) as Array<{ host: string; method: string; path: string }>;
  }

  stop(): Promise<void> {
    return this.child.stop();
  }
}

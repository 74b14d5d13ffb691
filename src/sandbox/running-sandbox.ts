import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { emulatorUrls } from './emulator';

// A development `npm start` in sandbox mode says where its Meta emulator listens, in DATA_DIR
// beside the embedded PostgreSQL, so a `npm run worker` started beside it plays against the same
// emulator (which lives in the API process) instead of refusing to start.
const FILE = 'sandbox.json';

interface RunningSandbox {
  pid: number;
  /** The API's base URL. */
  url: string;
  emulatorUrl: string;
}

/** Writes the file; the returned function removes it (if it is still this process's). */
export function publishSandbox(dataDir: string, sandbox: { url: string; emulatorUrl: string }): () => void {
  const file = path.join(dataDir, FILE);
  writeFileSync(file, `${JSON.stringify({ pid: process.pid, ...sandbox })}\n`);
  return () => {
    if (readRunningSandbox(dataDir)?.pid === process.pid) rmSync(file, { force: true });
  };
}

function readRunningSandbox(dataDir: string): RunningSandbox | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path.join(dataDir, FILE), 'utf8')) as Partial<RunningSandbox>;
    if (typeof parsed.pid !== 'number' || typeof parsed.url !== 'string' || typeof parsed.emulatorUrl !== 'string') return undefined;
    return parsed as RunningSandbox;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The sandbox a running `npm start` published in DATA_DIR, if its process is still alive. */
export function runningSandbox(dataDir: string): RunningSandbox | undefined {
  const sandbox = readRunningSandbox(dataDir);
  return sandbox && isAlive(sandbox.pid) ? sandbox : undefined;
}

/** A standalone worker in sandbox mode: the config pointed at the running API's emulator. */
export function configForSandboxWorker(config: Config): Config {
  const sandbox = runningSandbox(config.dataDir);
  if (!sandbox) {
    throw new Error(
      `npm run worker needs Meta credentials, or in sandbox mode the Meta emulator of a running \`npm start\` (the emulator lives in the API process): none runs on ${config.dataDir}. ` +
        'Start `npm start` first (it also runs the worker itself unless DISABLE_WORKER=1), or set the Meta credentials.',
    );
  }
  return { ...config, meta: { ...config.meta, urls: emulatorUrls(sandbox.emulatorUrl) } };
}

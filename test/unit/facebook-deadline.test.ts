import { facebookDeadline } from '../../src/services/accounts/facebook-deadline';

// The one rule the worker and a member's sync share for when a Facebook-flow account stops
// working: pure, so tested here without a database or Meta.
const DAY = 24 * 3600_000;
const now = new Date('2026-06-01T12:00:00Z');
const at = (ms: number) => new Date(now.getTime() + ms);

describe('facebookDeadline', () => {
  it('without a Page token, the user token expiry is a deadline and passing it expires the account', () => {
    expect(facebookDeadline({ now, hasPageToken: false, userTokenExpiresAt: at(-DAY), dataAccessExpiresAt: at(30 * DAY) })).toEqual({
      expiredReason: 'The Facebook login expired on 2026-05-31; reconnect to continue.',
      needsReconnectBy: at(-DAY),
    });
  });

  it('with a Page token, the user token running out (day 60) ends nothing: only data access counts', () => {
    expect(facebookDeadline({ now, hasPageToken: true, userTokenExpiresAt: at(-DAY), dataAccessExpiresAt: at(30 * DAY) })).toEqual({
      expiredReason: null,
      needsReconnectBy: at(30 * DAY),
    });
  });

  it("expires the account once Meta's data access ended, Page token or not", () => {
    for (const hasPageToken of [true, false]) {
      const deadline = facebookDeadline({ now, hasPageToken, userTokenExpiresAt: null, dataAccessExpiresAt: at(-2 * DAY) });
      expect(deadline.expiredReason).toBe("Meta's data access for this connection ended on 2026-05-30; reconnect to continue.");
      expect(deadline.needsReconnectBy).toEqual(at(-2 * DAY));
    }
  });

  it('names the login expiry first when both deadlines passed', () => {
    const deadline = facebookDeadline({ now, hasPageToken: false, userTokenExpiresAt: at(-DAY), dataAccessExpiresAt: at(-2 * DAY) });
    expect(deadline.expiredReason).toBe('The Facebook login expired on 2026-05-31; reconnect to continue.');
    expect(deadline.needsReconnectBy).toEqual(at(-2 * DAY));
  });

  it('must reconnect by the sooner of the two deadlines while both are ahead', () => {
    expect(facebookDeadline({ now, hasPageToken: false, userTokenExpiresAt: at(10 * DAY), dataAccessExpiresAt: at(40 * DAY) })).toEqual({
      expiredReason: null,
      needsReconnectBy: at(10 * DAY),
    });
    expect(facebookDeadline({ now, hasPageToken: false, userTokenExpiresAt: at(50 * DAY), dataAccessExpiresAt: at(40 * DAY) }).needsReconnectBy).toEqual(
      at(40 * DAY),
    );
  });

  it('has no deadline when Meta gave none (a never-expiring token, data access unknown)', () => {
    expect(facebookDeadline({ now, hasPageToken: false, userTokenExpiresAt: null, dataAccessExpiresAt: null })).toEqual({
      expiredReason: null,
      needsReconnectBy: null,
    });
  });

  it('treats the deadline moment itself as passed', () => {
    expect(facebookDeadline({ now, hasPageToken: false, userTokenExpiresAt: now, dataAccessExpiresAt: null }).expiredReason).toMatch(/expired on 2026-06-01/);
  });
});

import {
  classifyMetaError,
  MetaAuthError,
  MetaBadRequestError,
  MetaPermissionError,
  MetaRateLimitError,
  MetaTransientError,
} from '../../src/services/meta/errors';
import { parseShortLivedToken } from '../../src/services/meta/instagram-client';
import { parseJsonKeepingBigInts } from '../../src/services/meta/json';
import { accountTypeOf } from '../../src/domain/instagram-profile';
import {
  parseBusinessUseCaseUsage,
  parseRetryAfter,
  pausesForError,
  pausesFromUsage,
  parseAppUsage,
  retryAfterFor,
  type CallTargets,
} from '../../src/services/meta/rate-limit-scopes';
import { InstagramAccountType } from '../../src/domain/social-account';

describe('parseJsonKeepingBigInts', () => {
  it('keeps integers beyond 2^53 exact, as strings, and leaves strings and small numbers alone', () => {
    const parsed = parseJsonKeepingBigInts(
      '{"user_id":17841400000000001234,"n":42,"s":"17841400000000001234","neg":-9007199254740993,"f":1.5e3,"esc":"a\\"17841400000000009999"}',
    ) as Record<string, unknown>;
    expect(parsed.user_id).toBe('17841400000000001234');
    expect(parsed.n).toBe(42);
    expect(parsed.s).toBe('17841400000000001234');
    expect(parsed.neg).toBe('-9007199254740993');
    expect(parsed.f).toBe(1500);
    expect(parsed.esc).toBe('a"17841400000000009999');
  });
});

describe('parseShortLivedToken', () => {
  it('accepts the documented shape', () => {
    expect(parseShortLivedToken({ data: [{ access_token: 't', user_id: '17841400000000001234', permissions: 'a,b' }] })).toEqual({
      accessToken: 't',
      userId: '17841400000000001234',
      permissions: ['a', 'b'],
    });
  });
  it('accepts the flat shape with a numeric user id beyond 2^53', () => {
    const body = parseJsonKeepingBigInts('{"access_token":"t","user_id":17841400000000001234,"permissions":["a"]}');
    expect(parseShortLivedToken(body).userId).toBe('17841400000000001234');
  });
  it('rejects an answer without a token', () => {
    expect(() => parseShortLivedToken({ data: [] })).toThrow(MetaBadRequestError);
  });
});

describe('classifyMetaError', () => {
  const body = (code: number, extra: object = {}) => ({ error: { message: 'm', type: 'OAuthException', code, ...extra } });
  it.each([
    [400, body(190, { error_subcode: 463 }), MetaAuthError],
    [403, body(10), MetaPermissionError],
    [403, body(200), MetaPermissionError],
    [403, body(299), MetaPermissionError],
    [403, body(4), MetaRateLimitError],
    [403, body(17), MetaRateLimitError],
    [400, body(32), MetaRateLimitError],
    [400, body(613), MetaRateLimitError],
    [400, body(80001), MetaRateLimitError],
    [400, body(80002), MetaRateLimitError],
    [500, body(1), MetaTransientError],
    [500, body(2), MetaTransientError],
    [400, body(100, { is_transient: true }), MetaTransientError],
    [502, {}, MetaTransientError],
    [400, body(100, { error_subcode: 36009 }), MetaBadRequestError],
    [400, { error_type: 'OAuthException', code: 400, error_message: 'Matching code was not found or was already used' }, MetaBadRequestError],
  ])('HTTP %i %j → %p', (status, payload, type) => {
    expect(classifyMetaError(status, payload)).toBeInstanceOf(type);
  });

  it('names the cause of a 190 and recognises app removal', () => {
    const expired = classifyMetaError(400, body(190, { error_subcode: 460 })) as MetaAuthError;
    expect(expired.reason).toMatch(/password was changed/);
    expect((classifyMetaError(400, body(190, { error_subcode: 458 })) as MetaAuthError).appRemoved).toBe(true);
  });
});

describe('accountTypeOf', () => {
  it('maps MEDIA_CREATOR and CREATOR to CREATOR and refuses PERSONAL', () => {
    expect(accountTypeOf('MEDIA_CREATOR')).toBe(InstagramAccountType.CREATOR);
    expect(accountTypeOf('CREATOR')).toBe(InstagramAccountType.CREATOR);
    expect(accountTypeOf('BUSINESS')).toBe(InstagramAccountType.BUSINESS);
    expect(accountTypeOf('PERSONAL')).toBeNull();
  });
});

describe('rate-limit scopes', () => {
  const targets: CallTargets = { app: 'facebook', tokenFp: 't.abc', instagramAccountId: '1784', objectId: '1784' };
  const keys = (code: number | undefined, t: CallTargets = targets, status = 400) => pausesForError(code, status, t, [], 60).map((p) => p.key);

  it('pauses exactly the scope each code names, never the app for an object limit', () => {
    expect(keys(4)).toEqual(['app:facebook']);
    expect(keys(17)).toEqual(['user:t.abc']);
    expect(keys(80002)).toEqual(['instagram_account:1784']);
    expect(keys(613)).toEqual(['object:1784']);
    expect(keys(32, { ...targets, pageId: '55' })).toEqual(['page:55']);
    // No id on the call: the token (a Business Login token is its account), still not the app.
    expect(keys(80002, { app: 'instagram', tokenFp: 't.ig' })).toEqual(['instagram_account:t.ig']);
  });

  it('reads the ids and the time (minutes) from X-Business-Use-Case-Usage, and the app from X-App-Usage', () => {
    const business = parseBusinessUseCaseUsage(
      JSON.stringify({ '123': [{ type: 'pages', call_count: 50, total_cputime: 1, total_time: 1, estimated_time_to_regain_access: 3 }] }),
    );
    const usage = pausesFromUsage('facebook', parseAppUsage(JSON.stringify({ call_count: 95, total_time: 10, total_cputime: 5 })), business, 80);
    expect(usage.map((p) => [p.key, p.seconds])).toEqual([
      ['app:facebook', 60],
      ['page:123', 180],
    ]);
    expect(retryAfterFor(undefined, business)).toBe(180);
    expect(pausesForError(32, 400, { app: 'facebook', tokenFp: 't.p' }, business, 180).map((p) => p.key)).toEqual(['page:t.p', 'page:123']);
  });

  it('honours Retry-After in seconds or as a date', () => {
    expect(parseRetryAfter('120', 0)).toBe(120);
    expect(parseRetryAfter(new Date(30_000).toUTCString(), 0)).toBe(30);
    expect(parseRetryAfter(null, 0)).toBeUndefined();
  });

  it('ignores malformed headers', () => {
    expect(parseBusinessUseCaseUsage('not json')).toEqual([]);
  });
});

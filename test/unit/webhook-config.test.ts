import { loadConfig, SANDBOX_WEBHOOK_SECRET } from '../../src/config';
import { nextAttemptAt, outcomeOfResponse, parseRetryAfter } from '../../src/services/webhooks/delivery-policy';
import { CONFIG_TEST_DIR, configProblems, PRODUCTION_ENV } from '../helpers/config-env';

const dir = CONFIG_TEST_DIR;
const SECRET = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
const production = PRODUCTION_ENV;

const problemsOf = configProblems;

describe('status webhook configuration', () => {
  it('sends nothing without STATUS_WEBHOOK_URL, and reads one or more endpoints with their defaults', () => {
    expect(loadConfig(production, { cwd: dir }).webhooks).toMatchObject({
      endpoints: [],
      sandboxReceiver: false,
      retryHorizonHours: 72,
      reconnectNoticeDays: 7,
    });
    const config = loadConfig(
      { ...production, STATUS_WEBHOOK_URL: 'https://a.example.com/hooks, https://b.example.com/hooks', STATUS_WEBHOOK_SECRET: SECRET },
      { cwd: dir },
    );
    expect(config.webhooks.endpoints).toEqual(['https://a.example.com/hooks', 'https://b.example.com/hooks']);
    expect(config.webhooks.secret).toBe(SECRET);
  });

  it('requires https in production, a Standard Webhooks secret, and names the problem without echoing credentials', () => {
    const problems = problemsOf({ ...production, STATUS_WEBHOOK_URL: 'http://user:pw@hooks.example.com/in?key=abc' });
    expect(problems.join('\n')).toMatch(/must use https in production/);
    expect(problems.join('\n')).toMatch(/STATUS_WEBHOOK_SECRET is required/);
    expect(problems.join('\n')).not.toMatch(/pw|key=abc/);
    expect(problemsOf({ ...production, STATUS_WEBHOOK_URL: 'https://h.example.com', STATUS_WEBHOOK_SECRET: 'not-a-secret' }).join()).toMatch(
      /whsec_ followed by base64/,
    );
    expect(
      problemsOf({ ...production, STATUS_WEBHOOK_URL: 'https://h.example.com', STATUS_WEBHOOK_SECRET: `whsec_${Buffer.alloc(8).toString('base64')}` }).join(),
    ).toMatch(/24 to 64/);
    expect(problemsOf({ ...production, STATUS_WEBHOOK_URL: 'https://h.example.com,https://h.example.com', STATUS_WEBHOOK_SECRET: SECRET }).join()).toMatch(
      /twice/,
    );
    expect(problemsOf({ ...production, WEBHOOK_RETRY_HORIZON_HOURS: '0' }).join()).toMatch(/WEBHOOK_RETRY_HORIZON_HOURS/);
  });

  it('points the sandbox at its built-in receiver when no endpoint is set', () => {
    const config = loadConfig({}, { cwd: dir });
    expect(config.webhooks).toMatchObject({ endpoints: [], sandboxReceiver: true, secret: SANDBOX_WEBHOOK_SECRET });
    expect(config.developmentDefaults.join(' ')).toMatch(/STATUS_WEBHOOK_URL/);
  });
});

describe('delivery policy', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  it('retries network-like answers (408, 429, 5xx), stops on other 4xx and 3xx', () => {
    expect(outcomeOfResponse(204, null, now).kind).toBe('delivered');
    for (const status of [408, 429, 500, 502, 503]) expect(outcomeOfResponse(status, null, now).kind).toBe('retry');
    for (const status of [301, 400, 401, 404, 410, 422]) expect(outcomeOfResponse(status, null, now).kind).toBe('refused');
  });

  it('reads Retry-After as seconds or an HTTP date and never retries sooner', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Tue, 01 Dec 2026 12:05:00 GMT', now)).toBe(300_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    const settings = { retryBaseMs: 1000, retryMaxDelayMs: 3600_000 };
    expect(nextAttemptAt(now, 1, settings, 600_000, () => 0).getTime() - now.getTime()).toBe(600_000);
    // Exponential with jitter in [50 %, 100 %], capped.
    expect(nextAttemptAt(now, 4, settings, undefined, () => 0).getTime() - now.getTime()).toBe(4000);
    expect(nextAttemptAt(now, 4, settings, undefined, () => 1).getTime() - now.getTime()).toBe(8000);
    expect(nextAttemptAt(now, 40, settings, undefined, () => 1).getTime() - now.getTime()).toBe(3600_000);
  });
});

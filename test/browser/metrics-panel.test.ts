import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ConnectInstagramDocument, OAuthUrlDocument } from '../../client/generated/graphql';
import { WEB_DIST } from '../../src/http/web-app';
import { launchChromium, requireChromium } from '../helpers/browser';
import { ROOT } from '../helpers/dist';
import { facebookUser } from '../helpers/flows';
import { REDIRECT_URI, stateOf, TestApp } from '../helpers/test-app';

/**
 * The dashboard's creator metrics panel in Chromium: the follower-growth chart (uPlot), the
 * engagement figures and the audience bars, from figures the worker computed against the emulator.
 */
jest.setTimeout(90_000);

const DOCS = process.env.UPDATE_SCREENSHOTS ? path.resolve(__dirname, '..', '..', 'docs') : path.join(tmpdir(), 'igc-dashboard-screenshots');
const DAY = 86_400_000;
const memberId = 'member-dashboard-metrics';

let app: TestApp;
let browser: Browser;
const problems: string[] = [];

beforeAll(async () => {
  requireChromium();
  if (!existsSync(path.join(WEB_DIST, 'index.html')))
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--config', 'web/vite.config.mts'], { cwd: ROOT });
  mkdirSync(DOCS, { recursive: true });
  app = await TestApp.start({ env: { METRICS_INSIGHTS: '1' } });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function accountWithMetrics(): Promise<string> {
  const fb = facebookUser(app, [{ instagram: { username: 'studio.metrics', followersCount: 48_200, mediaCount: 420 } }]);
  const url = (await app.gql(OAuthUrlDocument, { provider: 'FACEBOOK', redirectUri: REDIRECT_URI }, { memberId })).data!.oauthUrl;
  const state = stateOf(url);
  const scopes = ['instagram_basic', 'pages_show_list', 'pages_read_engagement', 'instagram_manage_insights'];
  const { code } = app.emulator.control.authorize({ provider: 'facebook', userId: fb.userId, redirectUri: REDIRECT_URI, state, scopes });
  const accountId = (await app.gql(ConnectInstagramDocument, { code, state }, { memberId })).data!.connectInstagram[0].id;
  await app.services.metricsWorker.runOnce(); // adopted: due within a day
  app.clock.advance(DAY + 3600_000);
  // 90 days of history: steady growth with a dip.
  await app.sql(
    `insert into account_metrics_day (account_id, day, followers, following, media_count, recorded_at)
     select ?, (?::date - n), 48200 - n * 45 + (case when n between 40 and 50 then -300 else 0 end), 310, 420 - n / 3, now()
     from generate_series(1, 95) n`,
    [accountId, new Date(app.clock.nowMs()).toISOString().slice(0, 10)],
  );
  app.emulator.control.setAudience({
    igId: fb.igIds[0],
    audience: {
      age: { '18-24': 14_000, '25-34': 19_000, '35-44': 8_000, '45-54': 2_500 },
      gender: { F: 27_000, M: 19_000, U: 900 },
      country: { US: 16_000, BR: 6_000, GB: 4_200, DE: 3_100, FR: 2_000 },
      city: { 'New York, New York': 3_000, 'London, England': 2_400, 'São Paulo, São Paulo (state)': 1_900 },
    },
  });
  const report = await app.services.metricsWorker.runOnce();
  expect(report.refreshed).toBe(1);
  return accountId;
}

async function signedInPage(): Promise<Page> {
  const context = await browser.newContext();
  await context.route(/^https:\/\//, (route) =>
    route.fulfill({
      contentType: 'image/svg+xml',
      body: '<svg xmlns="http://www.w3.org/2000/svg" width="56" height="56"><rect width="56" height="56" fill="#c5cae9"/></svg>',
    }),
  );
  const token = app.tokenFor(memberId);
  // Runs in the page: signed in as the member the way the dashboard keeps its session.
  await context.addInitScript(
    (jwt) => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('instagram-connect.jwt', jwt),
    token,
  );
  const page = await context.newPage();
  await page.setViewportSize({ width: 1200, height: 900 });
  // Outside sandbox mode GET /sandbox answers 404 by design; any other failed request is a problem.
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && new URL(response.url()).pathname !== '/sandbox') problems.push(`HTTP ${response.status()} ${response.url()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return page;
}

describe('dashboard: creator metrics', () => {
  it('draws the follower-growth chart and shows engagement and the audience', async () => {
    const accountId = await accountWithMetrics();
    const page = await signedInPage();
    await page.goto(app.url);
    const card = page.locator(`article[data-account-id="${accountId}"]`);
    await card.getByText('Creator metrics').click();
    await card.locator('.growth-chart canvas').waitFor();
    const rate = await card.locator('[data-figure="engagement-rate"]').textContent();
    expect(rate).toMatch(/^\d+(\.\d+)?%$/);
    expect(await card.locator('.engagement').textContent()).toMatch(/Avg views[\s\S]*\d/); // insights granted: views known
    expect(await card.locator('.growth').textContent()).toMatch(/90 days[\s\S]*\+4,050/); // 48 200 − (48 200 − 90 × 45)
    expect(await card.locator('.audience .bar').count()).toBe(15); // top 5 per breakdown, up to what Meta gave
    expect(await card.locator('.audience').textContent()).toContain('25-34');
    await card.screenshot({ path: path.join(DOCS, 'dashboard-creator-metrics.png') });
    expect(problems).toEqual([]);
  });
});

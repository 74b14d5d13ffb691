import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { bootstrap, type AppHandles } from '../../src/bootstrap';
import { loadConfig } from '../../src/config';
import { SocialConnectionStatus } from '../../src/domain/social-account';
import { createLogger } from '../../src/logger';
import { freePort } from '../../src/free-port';
import { launchChromium, requireChromium } from '../helpers/browser';
import { createTestDatabase } from '../helpers/database';
import { ROOT } from '../helpers/dist';

/** The dashboard's Reconnect action and its coming-expiry notice, in Chromium against the sandbox. */
jest.setTimeout(90_000);

let handles: AppHandles;
let base: string;
let browser: Browser;
let page: Page;
let dataDir: string;
let dropDatabase: () => Promise<void>;
const problems: string[] = [];

const cardOf = (username: string) => page.locator('article', { has: page.getByRole('heading', { name: `@${username}` }) });
const sql = (query: string, params: unknown[] = []) => handles.orm.em.fork().execute(query, params);

beforeAll(async () => {
  requireChromium();
  // Always this checkout's dashboard: a dist/ built before the Reconnect action would not have it.
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--config', 'web/vite.config.mts'], { cwd: ROOT, stdio: 'ignore' });
  const db = await createTestDatabase();
  dropDatabase = db.drop;
  dataDir = mkdtempSync(path.join(tmpdir(), 'igc-reconnect-'));
  const port = await freePort();
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DISABLE_WORKER: '1' });
  handles = await bootstrap(config, { logger: createLogger('silent') });
  base = `http://localhost:${port}`;
  browser = await launchChromium();
  const context = await browser.newContext();
  await context.route(/^https:\/\//, (route) => route.fulfill({ contentType: 'image/svg+xml', body: '<svg xmlns="http://www.w3.org/2000/svg"/>' }));
  page = await context.newPage();
  page.on('pageerror', (error) => problems.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await handles?.close();
  await dropDatabase?.();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('reconnecting from the dashboard', () => {
  it('offers Reconnect on an EXPIRED account, runs its provider dialog and comes back CONNECTED', async () => {
    await page.goto(base);
    await page.getByRole('button', { name: 'Sign in as a demo member' }).click();
    await page.getByRole('button', { name: 'Connect with Facebook' }).click();
    await page.locator('#allow').click();
    await page.getByRole('heading', { name: '@sandbox.studio' }).waitFor();
    expect(await cardOf('sandbox.studio').getByRole('button', { name: 'Reconnect @sandbox.studio' }).count()).toBe(0);

    const [{ id }] = await sql(`select "id" from "social_account" where "username" = 'sandbox.studio'`);
    await handles.services.accounts.changeStatus(handles.orm.em.fork(), id, SocialConnectionStatus.EXPIRED, 'The Facebook session expired.');
    await page.reload();
    await cardOf('sandbox.studio').locator('.badge', { hasText: 'EXPIRED' }).waitFor();
    await cardOf('sandbox.studio').getByRole('button', { name: 'Reconnect @sandbox.studio' }).click();
    await page.waitForURL(/\/dialog\/oauth/);
    await page.locator('#allow').click();
    await page.getByText(/Connected @/).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    await cardOf('sandbox.studio').locator('.badge', { hasText: 'CONNECTED' }).waitFor();
    expect(await cardOf('sandbox.studio').getByRole('button', { name: 'Reconnect @sandbox.studio' }).count()).toBe(0);
  });

  it('says when and why an account must be reconnected once needsReconnectBy is within the notice window', async () => {
    await sql(`update "social_account" set "needs_reconnect_by" = now() + interval '3 days' where "username" = 'sandbox.studio'`);
    await sql(`update "social_account" set "needs_reconnect_by" = now() + interval '40 days' where "username" <> 'sandbox.studio'`);
    await page.reload();
    await cardOf('sandbox.studio')
      .getByText(/Reconnect by .*Meta ends our access to @sandbox\.studio/)
      .waitFor();
    const others = await page
      .locator('article')
      .filter({ hasNot: page.getByRole('heading', { name: '@sandbox.studio' }) })
      .locator('.reconnect')
      .count();
    expect(others).toBe(0);
    expect(problems).toEqual([]);
  });
});

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { bootstrap, type AppHandles } from '../../src/bootstrap';
import { loadConfig } from '../../src/config';
import { WEB_DIST } from '../../src/http/web-app';
import { createLogger } from '../../src/logger';
import { SEED } from '../../src/sandbox/emulator';
import { launchChromium, requireChromium } from '../helpers/browser';
import { ROOT } from '../helpers/dist';
import { createTestDatabase } from '../helpers/database';
import { freePort } from '../../src/free-port';

/**
 * The dashboard in Debian's Chromium (playwright-core), against the server in sandbox mode: the
 * same thing `npm start` gives a person, with the emulator's dialogs clicked through for real.
 * `.ci/run` installs chromium with apt when it is missing.
 */
jest.setTimeout(90_000);

// `npm run screenshots` refreshes the committed ones in docs/; a plain test run keeps the tree clean.
const DOCS = process.env.UPDATE_SCREENSHOTS ? path.resolve(__dirname, '..', '..', 'docs') : path.join(tmpdir(), 'igc-dashboard-screenshots');

let handles: AppHandles;
let base: string;
let browser: Browser;
let context: BrowserContext;
let dataDir: string;
let dropDatabase: () => Promise<void>;
const problems: string[] = [];

async function newPage(width = 1200): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize({ width, height: 900 });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return page;
}

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !condition();) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(DOCS, `dashboard-${name}.png`), fullPage: true });
const badgeOf = (page: Page, username: string) => page.locator('article', { has: page.getByRole('heading', { name: `@${username}` }) }).locator('.badge');

beforeAll(async () => {
  requireChromium();
  if (!existsSync(path.join(WEB_DIST, 'index.html')))
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--config', 'web/vite.config.mts'], { cwd: ROOT });
  mkdirSync(DOCS, { recursive: true });
  const db = await createTestDatabase();
  dropDatabase = db.drop;
  dataDir = mkdtempSync(path.join(tmpdir(), 'igc-browser-'));
  const port = await freePort();
  // No Meta credentials: sandbox mode, with the seeded emulator and the demo sign-in.
  // SYNC_MIN_INTERVAL_SECONDS=0: the sync test clicks Sync seconds after connecting and expects Meta's new figures.
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DISABLE_WORKER: '1',
    SYNC_MIN_INTERVAL_SECONDS: '0',
  });
  handles = await bootstrap(config, { logger: createLogger('silent') });
  base = `http://localhost:${port}`;
  browser = await launchChromium();
  context = await browser.newContext();
  // There is no internet here: profile pictures (Instagram's CDN) get a placeholder instead.
  await context.route(/^https:\/\//, (route) =>
    route.fulfill({
      contentType: 'image/svg+xml',
      body: '<svg xmlns="http://www.w3.org/2000/svg" width="56" height="56"><rect width="56" height="56" fill="#c5cae9"/></svg>',
    }),
  );
});

afterAll(async () => {
  await browser?.close();
  await handles?.close();
  await dropDatabase?.();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('dashboard', () => {
  let page: Page;

  it('signs in as the demo member in sandbox mode', async () => {
    page = await newPage();
    await page.goto(base);
    await shot(page, 'signed-out');
    await page.getByRole('button', { name: 'Sign in as a demo member' }).click();
    await page.getByText('Signed in as').waitFor();
    await page.getByText('No account linked yet').waitFor();
  });

  it('connects through the Facebook dialog and shows the accounts with figures and price', async () => {
    await page.getByRole('button', { name: 'Connect with Facebook' }).click();
    await page.waitForURL(/www\.facebook\.com\/v\d+\.\d+\/dialog\/oauth/);
    await page.locator('#allow').click();
    await page.getByText(/Connected @/).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    await page.getByRole('heading', { name: '@sandbox.studio' }).waitFor();
    const studio = page.locator('article', { has: page.getByRole('heading', { name: '@sandbox.studio' }) });
    await expect(studio.locator('.badge').textContent()).resolves.toBe('CONNECTED');
    expect(await studio.textContent()).toMatch(/180,000[\s\S]*Tier[\s\S]*A[\s\S]*\$1,800\.00/);
    expect(await page.getByRole('heading', { name: /Your Instagram accounts \(3\)/ }).count()).toBe(1);
  });

  it('connects through the Instagram dialog', async () => {
    await page.getByRole('button', { name: 'Connect with Instagram' }).click();
    await page.waitForURL(/www\.instagram\.com\/oauth\/authorize/);
    await page.locator(`#user-${SEED.instagramCreatorId}`).check();
    await page.locator('#allow').click();
    await page.getByText('Connected @sandbox.creator.').waitFor();
    await page.getByRole('heading', { name: /Your Instagram accounts \(4\)/ }).waitFor();
    await shot(page, 'accounts');
  });

  it('explains a cancelled dialog and a personal account in words a creator understands', async () => {
    await page.getByRole('button', { name: 'Connect with Facebook' }).click();
    await page.locator('#cancel').click();
    await page.getByRole('alert').getByText('You cancelled the connection').waitFor();

    await page.getByRole('button', { name: 'Connect with Instagram' }).click();
    await page.locator(`#user-${SEED.instagramPersonalId}`).check();
    await page.locator('#allow').click();
    const alert = page.getByRole('alert');
    await alert.getByText('This is a personal Instagram account').waitFor();
    expect(await alert.textContent()).toMatch(/Business or Creator/);
    await shot(page, 'personal-account');
    await page.getByRole('heading', { name: /Your Instagram accounts \(4\)/ }).waitFor();
  });

  it('syncs an account, showing fresh figures', async () => {
    handles.emulator!.control.updateProfile(SEED.instagramCreatorId, { followersCount: 43_210 });
    const card = page.locator('article', { has: page.getByRole('heading', { name: '@sandbox.creator' }) });
    await card.getByRole('button', { name: 'Sync @sandbox.creator' }).click();
    await card.getByText('43,210').waitFor();
    await expect(card.getByRole('button', { name: 'Sync @sandbox.creator' }).isEnabled()).resolves.toBe(true);
  });

  it("changes another tab's badge live when an account is disconnected", async () => {
    const other = await newPage();
    await other.goto(base); // same browser profile: the same sign-in
    await badgeOf(other, 'sandbox.shop').waitFor();
    expect(await badgeOf(other, 'sandbox.shop').textContent()).toBe('CONNECTED');
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the second tab's subscription start
    await page.getByRole('button', { name: 'Disconnect @sandbox.shop' }).click();
    await other
      .locator('article', { has: other.getByRole('heading', { name: '@sandbox.shop' }) })
      .locator('.badge[data-status="DISCONNECTED"]')
      .waitFor();
    expect(await other.locator('#live').textContent()).toMatch(/@sandbox\.shop is now disconnected/);
    await shot(other, 'live-disconnect');
    // The change is in the account's history too.
    const history = other.locator('article', { has: other.getByRole('heading', { name: '@sandbox.shop' }) }).locator('details.history');
    await history.locator('summary').click();
    await history.locator('li[data-status="DISCONNECTED"]').waitFor();
    expect(await history.locator('li').first().getAttribute('data-status')).toBe('DISCONNECTED');
    await other.close();
  });

  it('resumes after the socket drops with the last cursor it saw: a change made meanwhile arrives', async () => {
    const sockets = new Set<Socket>();
    const track = (socket: Socket) => sockets.add(socket);
    handles.httpServer.on('connection', track);
    const tab = await newPage();
    const subscribes: string[] = [];
    tab.on('websocket', (ws) => ws.on('framesent', ({ payload }) => void (String(payload).includes('"subscribe"') && subscribes.push(String(payload)))));
    try {
      await tab.goto(base);
      await badgeOf(tab, 'sandbox.creator').waitFor();
      await waitUntil(() => subscribes.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 300)); // let the subscription start on the server
      // A change while the tab listens gives it a cursor.
      await page.getByRole('button', { name: 'Disconnect @sandbox.creator' }).click();
      await tab
        .locator('article', { has: tab.getByRole('heading', { name: '@sandbox.creator' }) })
        .locator('.badge[data-status="DISCONNECTED"]')
        .waitFor();
      // The network drops (every connection to the server is cut); meanwhile another account changes.
      const token = String(await tab.evaluate('Object.values(localStorage).find((v) => v.split(".").length === 3)'));
      const gql = (query: string) =>
        fetch(`${base}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query }),
        }).then((r) => r.json() as Promise<{ data: { socialAccounts: Array<{ id: string; username: string }> } }>);
      const { data } = await gql('{ socialAccounts { id username } }');
      const agency = data.socialAccounts.find((a) => a.username === 'sandbox.agency')!;
      for (const socket of sockets) socket.destroy();
      await gql(`mutation { disconnectSocialAccount(id: "${agency.id}") { id } }`);
      // graphql-ws reconnects and subscribes again, with the cursor of the creator's disconnect:
      // the agency's disconnect is replayed (the tab does not reload its list when it has a cursor).
      await waitUntil(() => subscribes.length >= 2, 20_000);
      expect(subscribes.at(-1)).toMatch(/"after":"[A-Za-z0-9_-]+"/);
      await tab
        .locator('article', { has: tab.getByRole('heading', { name: '@sandbox.agency' }) })
        .locator('.badge[data-status="DISCONNECTED"]')
        .waitFor();
      expect(await tab.locator('#live').textContent()).toMatch(/@sandbox\.agency is now disconnected/);
    } finally {
      handles.httpServer.off('connection', track);
      await tab.close();
    }
  });

  it('works at phone width and with the keyboard', async () => {
    const phone = await newPage(375);
    await phone.goto(base);
    await phone.getByRole('heading', { name: '@sandbox.studio' }).waitFor();
    const overflow = await phone.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.keyboard.press('Tab');
    await phone.keyboard.press('Tab');
    expect(await phone.evaluate('document.activeElement && document.activeElement.textContent')).toBe('Connect with Facebook');
    await shot(phone, 'phone');
    await phone.close();
  });

  it('wrote nothing to the console', () => {
    expect(problems).toEqual([]);
  });
});

describe('sandbox-only routes', () => {
  it('are absent outside sandbox mode', async () => {
    const db = await createTestDatabase();
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      JWT_SECRET: 'x'.repeat(40),
      TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      FACEBOOK_APP_ID: '1',
      FACEBOOK_APP_SECRET: 's',
      INSTAGRAM_APP_ID: '2',
      INSTAGRAM_APP_SECRET: 's',
      OAUTH_REDIRECT_URIS: 'https://app.example/cb',
      DISABLE_WORKER: '1',
    });
    const real = await bootstrap(config, { logger: createLogger('silent'), port: 0 });
    try {
      expect((await fetch(`${real.url}/sandbox/token`, { method: 'POST' })).status).toBe(404);
      expect((await fetch(`${real.url}/sandbox`)).status).toBe(404);
      expect((await fetch(real.url)).status).toBe(200); // the dashboard itself is served everywhere
    } finally {
      await real.close();
      await db.drop();
    }
  });
});

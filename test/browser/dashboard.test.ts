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
let databaseUrl: string;
const problems: string[] = [];

async function newPage(width = 1200): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize({ width, height: 900 });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()} (${message.location().url})`);
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

/** Every dashboard check that depends on the width runs at both. */
const WIDTHS = { desktop: 1200, phone: 375 } as const;
/** A picture URL on the emulator's CDN path that it answers with 404. */
const missingPicture = () => `${handles.emulator!.url}/scontent.cdninstagram.com/v/t51.2885-19/missing_n.svg`;

/** Longer than a phone card is wide: the username must end in an ellipsis, not wrap mid-word. */
const LONG_USERNAME = 'sandbox.creator.with.a.rather.long.username';

/** The Business Login account gets a new username on Meta, and a sync (through the API) brings it in. */
async function renameCreator(page: Page, username: string): Promise<void> {
  handles.emulator!.control.updateProfile(SEED.instagramCreatorId, { username });
  const token = String(await page.evaluate('localStorage.getItem("instagram-connect.jwt")'));
  const gql = async (query: string) =>
    (await (
      await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query }),
      })
    ).json()) as { data: { socialAccounts: Array<{ id: string; platformUserId: string }> } };
  const { data } = await gql('{ socialAccounts { id platformUserId } }');
  const id = data.socialAccounts.find((a) => a.platformUserId === SEED.instagramCreatorId)!.id;
  expect(await gql(`mutation { syncSocialAccount(id: "${id}") { username } }`)).toEqual({ data: { syncSocialAccount: { username } } });
}

const cardOf = (page: Page, username: string) => page.locator('article', { has: page.getByRole('heading', { name: `@${username}` }) });

async function startSandboxApp(extra: Record<string, string> = {}): Promise<{ handles: AppHandles; base: string }> {
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DISABLE_WORKER: '1',
    ...extra,
  });
  return { handles: await bootstrap(config, { logger: createLogger('silent') }), base: `http://localhost:${port}` };
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
  databaseUrl = db.url;
  dataDir = mkdtempSync(path.join(tmpdir(), 'igc-browser-'));
  // No Meta credentials: sandbox mode, with the seeded emulator (which serves the profile
  // pictures) and the demo sign-in.
  // SYNC_MIN_INTERVAL_SECONDS=0: the sync test clicks Sync seconds after connecting and expects Meta's new figures.
  ({ handles, base } = await startSandboxApp({ SYNC_MIN_INTERVAL_SECONDS: '0' }));
  browser = await launchChromium();
  context = await browser.newContext();
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

  it('renames an account to a username too long for a phone card (for the layout checks below)', async () => {
    await renameCreator(page, LONG_USERNAME);
  });

  it.each(Object.entries(WIDTHS))('lays the cards out finished at %s width: one-line usernames, loaded pictures, equal buttons', async (_name, width) => {
    const tab = await newPage(width);
    try {
      await tab.goto(base);
      await tab.getByRole('heading', { name: /Your Instagram accounts \(4\)/ }).waitFor();
      // Pictures come from the emulator's CDN path; wait until each has loaded or failed.
      await tab.waitForFunction("[...document.querySelectorAll('.avatar img')].every((img) => img.complete)");
      // In the page (the test's tsconfig has no DOM types, hence the script as a string).
      const layout = (await tab.evaluate(`({
          usernames: [...document.querySelectorAll('article h3')].map((el) => ({
            text: el.textContent,
            title: el.title,
            height: el.getBoundingClientRect().height,
            lineHeight: parseFloat(getComputedStyle(el).lineHeight),
            cut: el.scrollWidth > el.clientWidth,
            ellipsis: getComputedStyle(el).textOverflow,
          })),
          pictures: [...document.querySelectorAll('article .avatar img')].map((img) => ({ src: img.src, width: img.naturalWidth })),
          buttons: [...document.querySelectorAll('article .actions')].map((actions) => [...actions.querySelectorAll('button')].map((b) => b.getBoundingClientRect().height)),
          overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        })`)) as {
        usernames: Array<{ text: string; title: string; height: number; lineHeight: number; cut: boolean; ellipsis: string }>;
        pictures: Array<{ src: string; width: number }>;
        buttons: number[][];
        overflow: number;
      };
      expect(layout.usernames).toHaveLength(4);
      for (const username of layout.usernames) {
        // One line: never "@sandbox.crea|tor". A name too long for the card ends in an ellipsis, whole in the title.
        expect(username.height).toBeLessThan(username.lineHeight * 1.5);
        expect(username.title).toBe(username.text);
        if (username.cut) expect(username.ellipsis).toBe('ellipsis');
      }
      expect(layout.pictures).toHaveLength(4);
      for (const picture of layout.pictures) {
        expect(picture.src).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/scontent\.cdninstagram\.com\//);
        expect(picture.width).toBeGreaterThan(0);
      }
      // Every Sync and Disconnect button is as tall as every other, however tall its card.
      const heights = layout.buttons.flat();
      expect(heights).toHaveLength(8);
      for (const height of heights) expect(height).toBeCloseTo(heights[0], 0);
      expect(heights[0]).toBeLessThan(50);
      expect(layout.overflow).toBeLessThanOrEqual(0);
    } finally {
      await tab.close();
    }
  });

  it('renames the account back', async () => {
    await renameCreator(page, 'sandbox.creator');
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

  it("syncs an account, showing fresh figures; the last action's message replaces the one before", async () => {
    await page.getByRole('button', { name: 'Connect with Instagram' }).click();
    await page.locator(`#user-${SEED.instagramCreatorId}`).check();
    await page.locator('#allow').click();
    await page.getByText('Connected @sandbox.creator.').waitFor();
    // Its picture URL now answers 404 (an expired or deleted CDN picture): the initials stand in.
    handles.emulator!.control.updateProfile(SEED.instagramCreatorId, { followersCount: 43_210, profilePictureUrl: missingPicture() });
    const card = cardOf(page, 'sandbox.creator');
    await card.getByRole('button', { name: 'Sync @sandbox.creator' }).click();
    await card.getByText('43,210').waitFor();
    await expect(card.getByRole('button', { name: 'Sync @sandbox.creator' }).isEnabled()).resolves.toBe(true);
    // The connect message belonged to the connect: gone. The sync says what it did, on its card.
    expect(await page.getByText(/Connected @/).count()).toBe(0);
    expect(await card.locator('.card-note').textContent()).toBe('Synced: fresh figures from Instagram.');
    expect(await card.locator('.meta').textContent()).toMatch(/figures from just now/);
    await card.locator('.avatar img').waitFor({ state: 'detached' });
    expect(await card.locator('.avatar').textContent()).toBe('SC');
    expect(await card.locator('.avatar').boundingBox()).toMatchObject({ width: 56, height: 56 });
    // The next action, on another card, clears this card's message.
    const studio = cardOf(page, 'sandbox.studio');
    await studio.getByRole('button', { name: 'Sync @sandbox.studio' }).click();
    await studio.locator('.card-note').waitFor();
    expect(await card.locator('.card-note').count()).toBe(0);
  });

  it('says how old the figures are when the minimum sync interval answered the stored ones', async () => {
    // A second instance on the same database with the default-like interval (an hour here): every
    // account was synced within it, so its sync answers stored figures without asking Meta.
    const second = await startSandboxApp({ SYNC_MIN_INTERVAL_SECONDS: '3600' });
    const tab = await newPage();
    try {
      await tab.goto(second.base);
      await tab.getByRole('button', { name: 'Sign in as a demo member' }).click();
      const studio = cardOf(tab, 'sandbox.studio');
      await studio.waitFor();
      const followers = await studio.locator('.figures').textContent();
      // Meta has new figures, which this sync must not fetch.
      const studioIgId = handles
        .emulator!.control.describe()
        .facebookUsers.flatMap((user) => user.pages)
        .find((p) => p.name === 'Sandbox Studio')!.instagramId!;
      handles.emulator!.control.updateProfile(studioIgId, { followersCount: 200_000 });
      await studio.getByRole('button', { name: 'Sync @sandbox.studio' }).click();
      const note = studio.locator('.card-note');
      await note.waitFor();
      expect(await note.textContent()).toMatch(/^Not synced again: the last sync was (just now|\d+ seconds? ago)/);
      expect(await note.textContent()).not.toMatch(/^Synced/);
      expect(await studio.locator('.figures').textContent()).toBe(followers);
      expect(await tab.locator('#live').textContent()).toMatch(/@sandbox\.studio: Not synced again/);
    } finally {
      await tab.close();
      await second.handles.close();
    }
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

  it("shows an EXPIRED account's reason once, after a sync found its token dead", async () => {
    handles.emulator!.control.invalidateUser(SEED.facebookUserId, 463);
    const studio = cardOf(page, 'sandbox.studio');
    await studio.getByRole('button', { name: 'Sync @sandbox.studio' }).click();
    await studio.locator('.badge[data-status="EXPIRED"]').waitFor();
    await studio.getByRole('alert').getByText('This account needs to be connected again').waitFor();
    const reason = (await studio.locator('.reason').textContent())!;
    expect(reason).toMatch(/expired/i);
    const visible = await studio.innerText();
    expect(visible.split(reason).length - 1).toBe(1);
  });

  it('shows disconnected accounts after a reload when asked to, and hides them again', async () => {
    const tab = await newPage();
    try {
      await tab.goto(base);
      await cardOf(tab, 'sandbox.studio').waitFor();
      // Disconnected earlier in this file: gone from the default list.
      expect(await cardOf(tab, 'sandbox.shop').count()).toBe(0);
      await tab.getByLabel('Show disconnected').check();
      await cardOf(tab, 'sandbox.shop').locator('.badge[data-status="DISCONNECTED"]').waitFor();
      expect(await tab.getByRole('heading', { name: /Your Instagram accounts \(4\)/ }).count()).toBe(1);
      await tab.reload();
      await cardOf(tab, 'sandbox.shop').waitFor(); // the choice survives a reload
      expect(await tab.getByLabel('Show disconnected').isChecked()).toBe(true);
      await tab.getByLabel('Show disconnected').uncheck();
      await tab.getByRole('heading', { name: /Your Instagram accounts \(1\)/ }).waitFor();
      expect(await cardOf(tab, 'sandbox.shop').count()).toBe(0);
      await tab.getByLabel('Show disconnected').check(); // for the phone screenshot below
      await cardOf(tab, 'sandbox.shop').waitFor();
    } finally {
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

  it('keeps the sandbox webhook receiver page inside a phone screen', async () => {
    // An unsigned delivery with a long id and body: the receiver lists it (signature refused).
    const long = 'x'.repeat(120);
    await fetch(`${base}/sandbox/webhooks/receive`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': `msg_${long}`, 'webhook-timestamp': '1', 'webhook-signature': 'v1,nope' },
      body: JSON.stringify({ type: 'social_account.status_changed', data: { accountId: long, reason: `${long} ${long}` } }),
    });
    const phone = await newPage(WIDTHS.phone);
    try {
      await phone.goto(`${base}/sandbox/webhooks`);
      await phone.locator('#rows tr').first().waitFor();
      expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(WIDTHS.phone);
      await shot(phone, 'webhooks-phone');
    } finally {
      await phone.close();
    }
  });

  it('tells someone who is not signed in here what to do with the callback, and finishes it once they sign in', async () => {
    // As in the curl walk-through: the connection was started through the API by the demo member,
    // Meta's dialog then sent this browser (signed in as nobody) back with `#_=_` on the URL.
    const { token } = (await (await fetch(`${base}/sandbox/token`, { method: 'POST' })).json()) as { token: string };
    const oauthUrl = (await (
      await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: `{ oauthUrl(provider: FACEBOOK, redirectUri: "${base}/oauth/callback") }` }),
      })
    ).json()) as { data: { oauthUrl: string } };
    const state = new URL(oauthUrl.data.oauthUrl).searchParams.get('state')!;
    const { code, redirectUrl } = handles.emulator!.control.authorize({
      provider: 'facebook',
      userId: SEED.facebookUserId,
      redirectUri: `${base}/oauth/callback`,
      state,
    });
    expect(redirectUrl.endsWith('#_=_')).toBe(true);

    const fresh = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
    try {
      for (const width of Object.values(WIDTHS)) {
        const callback = await fresh.newPage();
        await callback.setViewportSize({ width, height: 900 });
        callback.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
        await callback.goto(redirectUrl);
        await callback.getByRole('heading', { name: 'Not signed in here' }).waitFor();
        expect(await callback.getByText(/session ended/i).count()).toBe(0);
        expect(await callback.getByRole('alert').count()).toBe(0);
        expect(await callback.getByLabel('Code', { exact: true }).inputValue()).toBe(code);
        expect(await callback.getByLabel('State', { exact: true }).inputValue()).toBe(state); // no #_=_
        expect(await callback.getByRole('textbox', { name: 'GraphQL mutation' }).inputValue()).toContain(`state: "${state}"`);
        expect(new URL(callback.url()).hash).toBe('');
        expect(await callback.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);
        await callback.getByRole('button', { name: 'Copy state' }).click();
        await callback.getByRole('button', { name: 'Copy state' }).getByText('Copied').waitFor();
        expect(await callback.evaluate('navigator.clipboard.readText()')).toBe(state);
        if (width === WIDTHS.desktop) {
          await shot(callback, 'callback-signed-out');
          // A sign-in kept from earlier that the server no longer accepts: the session did end (said
          // so), and the code and state stay on screen.
          const [header, , signature] = token.split('.');
          const stale = `${header}.${Buffer.from(JSON.stringify({ sub: 'demo-member', exp: 1 })).toString('base64url')}.${signature}`;
          await callback.evaluate(`localStorage.setItem('instagram-connect.jwt', ${JSON.stringify(stale)})`);
          await callback.reload(); // the same callback URL (its fragment already dropped)
          await callback.getByRole('alert').getByText('Your session ended').waitFor();
          await callback.getByRole('heading', { name: 'Not signed in here' }).waitFor();
          expect(await callback.getByLabel('State', { exact: true }).inputValue()).toBe(state);
        } else {
          // Signing in here as the member who started it finishes the connection.
          await callback.getByRole('button', { name: 'Sign in as a demo member' }).click();
          await callback.getByText(/Connected @sandbox\.studio/).waitFor();
          expect(new URL(callback.url()).pathname).toBe('/');
        }
        await callback.close();
      }
    } finally {
      await fresh.close();
    }
  });

  it('wrote nothing to the console', () => {
    // Except the picture made to answer 404 above: each page that shows the account asks for it once.
    expect(problems.filter((problem) => !problem.includes('/missing_n.svg)'))).toEqual([]);
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

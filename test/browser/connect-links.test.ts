import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { bootstrap, type AppHandles } from '../../src/bootstrap';
import { loadConfig } from '../../src/config';
import { WEB_DIST } from '../../src/http/web-app';
import { createLogger } from '../../src/logger';
import { freePort } from '../../src/free-port';
import { launchChromium, requireChromium } from '../helpers/browser';
import { createTestDatabase } from '../helpers/database';
import { ROOT } from '../helpers/dist';
import { TEST_JWT_SECRET } from '../helpers/test-app';

/**
 * Connect links in Chromium against the sandbox (the emulator's dialogs clicked for real): the
 * platform's backend creates a link, the creator opens our page, goes through Meta's dialog and
 * lands on the platform's returnUrl with the outcome. Then a used, an expired and a revoked link.
 */
jest.setTimeout(90_000);

const SERVICE_AUDIENCE = 'platform-backend';
const RETURN_URL = 'https://platform.example/instagram/done';

let handles: AppHandles;
let base: string;
let browser: Browser;
let context: BrowserContext;
let dataDir: string;
let dropDatabase: () => Promise<void>;
const problems: string[] = [];

const serviceToken = jwt.sign({ scope: 'connect-links:create accounts:read', client_id: 'backend-e2e' }, TEST_JWT_SECRET, {
  algorithm: 'HS256',
  subject: 'backend-e2e',
  audience: SERVICE_AUDIENCE,
  expiresIn: 600,
});

async function gql(query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${serviceToken}` },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

async function createLink(memberId: string, returnUrl = RETURN_URL): Promise<any> {
  return gql('mutation($m: ID!, $r: String!) { createConnectLink(memberId: $m, returnUrl: $r) { id url expiresAt } }', { m: memberId, r: returnUrl });
}

async function newPage(): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return page;
}

beforeAll(async () => {
  requireChromium();
  if (!existsSync(path.join(WEB_DIST, 'index.html')))
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--config', 'web/vite.config.mts'], { cwd: ROOT });
  const db = await createTestDatabase();
  dropDatabase = db.drop;
  dataDir = mkdtempSync(path.join(tmpdir(), 'igc-links-'));
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DISABLE_WORKER: '1',
    JWT_SECRET: TEST_JWT_SECRET,
    JWT_SERVICE_AUDIENCE: SERVICE_AUDIENCE,
    CONNECT_LINK_RETURN_URLS: RETURN_URL,
  });
  handles = await bootstrap(config, { logger: createLogger('silent') });
  base = `http://localhost:${port}`;
  browser = await launchChromium();
  context = await browser.newContext();
  // The platform's returnUrl (no internet here): a page that only shows where it was reached.
  await context.route(/^https:\/\//, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>platform</title><h1>Back on the platform</h1>' }),
  );
});

afterAll(async () => {
  await browser?.close();
  await handles?.close();
  await dropDatabase?.();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('connect links in the browser', () => {
  let used: string;

  it('connects through our page and the Facebook dialog, then lands on returnUrl with the connected account ids', async () => {
    const created = await createLink('link-member-1');
    expect(created.errors).toBeUndefined();
    const { url, id } = created.data.createConnectLink;
    used = url;
    const page = await newPage();
    await page.goto(url);
    await page.getByRole('heading', { name: 'Connect your Instagram account' }).waitFor();
    await page.getByRole('button', { name: 'Continue with Facebook' }).click();
    await page.waitForURL(/\/dialog\/oauth/);
    await page.locator('#allow').click();
    await page.waitForURL(/^https:\/\/platform\.example\//);
    const back = new URL(page.url());
    expect(`${back.origin}${back.pathname}`).toBe(RETURN_URL);
    expect(back.searchParams.get('status')).toBe('connected');
    expect(back.searchParams.get('connectLinkId')).toBe(id);
    const accountIds = back.searchParams.get('accountIds')!.split(',');
    expect(accountIds.length).toBeGreaterThan(0);
    const listed = await gql('{ memberSocialAccounts(memberId: "link-member-1") { id } }');
    expect(listed.data.memberSocialAccounts.map((a: any) => a.id).sort()).toEqual([...accountIds].sort());
    expect(problems).toEqual([]);
    await page.close();
  });

  it('refuses the same link once it was used', async () => {
    const page = await newPage();
    const response = await page.goto(used);
    expect(response?.status()).toBe(410);
    await page.getByRole('heading', { name: 'This link was already used' }).waitFor();
    await page.close();
  });

  it('refuses an expired link', async () => {
    const { url, id } = (await createLink('link-member-2')).data.createConnectLink;
    await handles.orm.em.fork().execute(`update "connect_link" set "expires_at" = now() - interval '1 second' where "id" = ?`, [id]);
    const page = await newPage();
    expect((await page.goto(url))?.status()).toBe(410);
    await page.getByRole('heading', { name: 'This link has expired' }).waitFor();
    await page.close();
  });

  it('refuses a revoked link, also when it was opened before the revocation', async () => {
    const { url, id } = (await createLink('link-member-3')).data.createConnectLink;
    const page = await newPage();
    await page.goto(url);
    await page.getByRole('button', { name: 'Continue with Facebook' }).waitFor();
    expect((await gql('mutation($id: ID!) { revokeConnectLink(id: $id) }', { id })).data).toEqual({ revokeConnectLink: true });
    await page.getByRole('button', { name: 'Continue with Facebook' }).click();
    await page.getByRole('heading', { name: 'This link was withdrawn' }).waitFor();
    expect((await page.goto(url))?.status()).toBe(410);
    await page.close();
  });

  it('refuses to create a link whose returnUrl is outside the allowlist', async () => {
    const refused = await createLink('link-member-4', 'https://evil.example/steal');
    expect(refused.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'RETURN_URL_NOT_ALLOWED' });
  });
});

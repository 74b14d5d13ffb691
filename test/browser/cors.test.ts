import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import express from 'express';
import type { Browser } from 'playwright-core';
import { webApp } from '../../src/http/web-app';
import { launchChromium, requireChromium } from '../helpers/browser';
import { ROOT } from '../helpers/dist';
import { connect, instagramUser } from '../helpers/flows';
import { TestApp } from '../helpers/test-app';

/**
 * The frontend that calls us usually lives on the platform's own origin. Here the dashboard is
 * served from a second loopback port (another origin) with its API pointed at the server, and
 * Chromium does what a browser does: preflight, credentials, refusal for an origin not allowed.
 */
jest.setTimeout(120_000);

const MEMBER = 'member-cors';

let app: TestApp;
let browser: Browser;
let webDist: string;
const servers: Server[] = [];
let allowedOrigin: string;
let otherOrigin: string;
let username: string;

async function listen(handler: express.Express, port = 0): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The dashboard as the platform would host it: its own origin, the API named in a meta tag. */
function dashboardHost(): express.Express {
  const host = express();
  host.use(webApp(webDist));
  return host;
}

beforeAll(async () => {
  requireChromium();
  // A build of the dashboard of its own, so a stale web/dist (or another test building it) cannot interfere.
  webDist = mkdtempSync(path.join(tmpdir(), 'igc-cors-web-'));
  await promisify(execFile)(
    path.join(ROOT, 'node_modules', '.bin', 'vite'),
    ['build', '--config', 'web/vite.config.mts', '--outDir', webDist, '--emptyOutDir'],
    { cwd: ROOT },
  );
  allowedOrigin = await listen(dashboardHost());
  otherOrigin = await listen(dashboardHost());
  app = await TestApp.start({ env: { CORS_ORIGINS: `https://platform.example.test,${allowedOrigin}` } });
  const index = path.join(webDist, 'index.html');
  writeFileSync(index, readFileSync(index, 'utf8').replace('<head>', `<head>\n    <meta name="graphql-endpoint" content="${app.url}/graphql" />`));
  const user = instagramUser(app);
  const [account] = await connect(app, MEMBER, 'INSTAGRAM', user.userId);
  username = account.username;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  if (webDist) rmSync(webDist, { recursive: true, force: true });
});

async function signedInPage() {
  const context = await browser.newContext();
  // The dashboard keeps the JWT in localStorage (web/src/session.ts); a real frontend gets it from the platform's login.
  await context.addInitScript(`localStorage.setItem('instagram-connect.jwt', ${JSON.stringify(app.tokenFor(MEMBER))})`);
  await context.route(/^https:\/\//, (route) => route.fulfill({ contentType: 'image/svg+xml', body: '<svg xmlns="http://www.w3.org/2000/svg"/>' }));
  return { context, page: await context.newPage() };
}

describe('CORS_ORIGINS', () => {
  it("the dashboard on an allowed origin lists the member's accounts through the API on another origin", async () => {
    const { context, page } = await signedInPage();
    await page.goto(allowedOrigin);
    await page.getByRole('heading', { name: `@${username}` }).waitFor();
    // The REST facade too, with the JWT (a header that forces a preflight).
    const rest = await page.evaluate(
      async ({ url, token }) =>
        (await (await fetch(`${url}/ai/instagram/accounts`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
          data: Array<{ username: string }>;
        },
      { url: app.url, token: app.tokenFor(MEMBER) },
    );
    expect(rest.data.map((a) => a.username)).toEqual([username]);
    await context.close();
  });

  it('a page on an origin not in the list cannot read the API: Chromium refuses the response', async () => {
    const { context, page } = await signedInPage();
    await page.goto(otherOrigin);
    await page.getByText('The server could not be reached').waitFor();
    const outcome = await page.evaluate(async (url) => {
      try {
        await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
        return 'read';
      } catch (error) {
        return String(error);
      }
    }, app.url);
    expect(outcome).toMatch(/TypeError: Failed to fetch/);
    await context.close();
  });

  it('answers the preflight for allowed origins only, with exact origin and credentials, never a wildcard', async () => {
    const preflight = (origin: string, url = `${app.url}/graphql`) =>
      fetch(url, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
    for (const url of [`${app.url}/graphql`, `${app.url}/ai/instagram/accounts`]) {
      const allowed = await preflight(allowedOrigin, url);
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
      expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
      expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/);
      expect(allowed.headers.get('vary')).toMatch(/Origin/i);
    }
    const refused = await preflight(otherOrigin);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("keeps Apollo's CSRF prevention: a simple cross-site request (no preflight) is refused", async () => {
    const simpleGet = await fetch(`${app.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { origin: allowedOrigin } });
    expect(simpleGet.status).toBe(400);
    expect(await simpleGet.text()).toMatch(/Cross-Site Request Forgery/);
    const simplePost = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { origin: allowedOrigin, 'content-type': 'text/plain' },
      body: '{"query":"{ __typename }"}',
    });
    expect(simplePost.status).toBe(400);
  });
});

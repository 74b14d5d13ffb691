import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import express, { type Request, type Response } from 'express';
import type { MetaUrls } from '../../config';
import type { Logger } from '../../logger';
import { EmulatorControl, HTTP_CONTROL_METHODS } from './control';
import { decideDialog, page, renderDialog, type DialogAnswer } from './dialogs';
import { FacebookGraph, type CallLogEntry, type GraphCall } from './facebook-graph';
import { InstagramContent } from './content';
import { Faults } from './faults';
import { InstagramHosts } from './instagram';
import { PICTURE_PATH, ProfilePictures } from './pictures';
import type { GraphResult } from './responses';
import { seedSandbox } from './seed';
import { World, type EmulatorApp, type Provider } from './world';
import { describeError } from '../../describe-error';

export { SEED } from './seed';
export type { EmulatorControl } from './control';
export type { CallLogEntry } from './facebook-graph';

export interface MetaEmulatorOptions {
  facebookApp: EmulatorApp;
  instagramApp: EmulatorApp;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Add the sandbox's demo users (SEED). */
  seed?: boolean;
  /** Emulated Meta's clock in epoch ms; tests share their manual clock so tokens expire on cue. */
  now?: () => number;
  /** "Require App Secret" in the app settings (default on, as it should be in production). */
  requireAppsecretProof?: boolean;
  logger?: Logger;
}

export interface MetaEmulator {
  url: string;
  /** Base URLs per Meta host, in the shape of the service's config. */
  urls: MetaUrls;
  control: EmulatorControl;
  close(): Promise<void>;
}

const DEFAULT_VERSION = 'v25.0';

/** The emulator's base URL per Meta host: one path prefix each, on the emulator's one port. */
export function emulatorUrls(baseUrl: string): MetaUrls {
  return {
    facebookWww: `${baseUrl}/www.facebook.com`,
    facebookGraph: `${baseUrl}/graph.facebook.com`,
    instagramWww: `${baseUrl}/www.instagram.com`,
    instagramApi: `${baseUrl}/api.instagram.com`,
    instagramGraph: `${baseUrl}/graph.instagram.com`,
  };
}

/**
 * A Meta stand-in on loopback: Facebook Login and Business Login dialogs, graph.facebook.com,
 * api.instagram.com, graph.instagram.com and the profile pictures' CDN, behaving as docs/meta-platform.md describes
 * (single-use codes bound to redirect_uri, appsecret_proof, paging, batches, 190 subcodes,
 * usage headers). Each host lives under a path prefix named after it.
 */
export async function startMetaEmulator(options: MetaEmulatorOptions): Promise<MetaEmulator> {
  const now = options.now ?? Date.now;
  let baseUrl = '';
  const pictures: ProfilePictures = new ProfilePictures({
    now,
    baseUrl: () => baseUrl,
    exists: (igId: string): boolean => world.igAccounts.has(igId),
  });
  const world: World = new World({ facebook: options.facebookApp, instagram: options.instagramApp }, now, (igId: string): string => pictures.urlFor(igId));
  const faults = new Faults(now);
  const control = new EmulatorControl(world, faults);
  const content = new InstagramContent(world, faults);
  const facebookGraph = new FacebookGraph(world, faults, {
    requireAppsecretProof: options.requireAppsecretProof ?? true,
    baseUrl: () => `${baseUrl}/graph.facebook.com`,
    log: (entry) => control.record(entry),
    content,
  });
  const instagram = new InstagramHosts(world, content, () => `${baseUrl}/graph.instagram.com`);
  if (options.seed) seedSandbox(control);

  const app = express();
  app.disable('x-powered-by');
  app.use(express.urlencoded({ extended: false, limit: '1mb' }));
  app.use(express.json({ limit: '1mb' }));
  app.use(async (_req, _res, next) => {
    if (faults.latencyMs > 0) {
      faults.delayedNow++;
      await delay(faults.latencyMs).finally(() => faults.delayedNow--);
    }
    next();
  });

  const record = (host: CallLogEntry['host'], req: Request, params: Record<string, string>) =>
    control.record({ host, method: req.method, path: req.path, hadAppsecretProof: Boolean(params.appsecret_proof), at: now() });

  const dialog = (provider: Provider, host: CallLogEntry['host']) => (req: Request, res: Response) => {
    const params = paramsOf(req);
    record(host, req, params);
    const request = { provider, params };
    const answer: DialogAnswer =
      req.method === 'GET'
        ? renderDialog(world, request, req.originalUrl.split('?')[0])
        : decideDialog(
            world,
            { ...request, decision: params.decision, user: params.user, pages: listOf((req.body as { pages?: unknown } | undefined)?.pages) },
            (input) => control.authorize(input),
          );
    if ('redirect' in answer) res.redirect(302, answer.redirect);
    else res.status(answer.status).type('html').send(answer.html);
  };
  app.all(['/www.facebook.com/:version/dialog/oauth', '/www.facebook.com/dialog/oauth'], dialog('facebook', 'facebook-www'));
  app.all('/www.instagram.com/oauth/authorize', dialog('instagram', 'instagram-www'));

  app.post('/api.instagram.com/oauth/access_token', (req, res) => {
    const params = paramsOf(req);
    record('instagram-api', req, params);
    send(req, res, faults.take('instagram', req.path) ?? instagram.exchangeCode(params), {});
  });

  const graph =
    (host: CallLogEntry['host'], faultHost: 'facebook' | 'instagram', handle: (call: GraphCall) => GraphResult) => (req: Request, res: Response) => {
      const params = paramsOf(req);
      record(host, req, params);
      const match = /^\/(v\d+\.\d+)(\/.*)?$/.exec(req.path);
      const call: GraphCall = { method: req.method, path: match ? match[2] || '/' : req.path, params, version: match?.[1] ?? DEFAULT_VERSION };
      const result = faults.take(faultHost, req.path, world.subjectsOf(params.access_token)) ?? handle(call);
      send(req, res, result, faults.headers(req.path));
    };
  app.use(
    '/graph.facebook.com',
    graph('facebook-graph', 'facebook', (call) => facebookGraph.handle(call)),
  );
  app.use(
    '/graph.instagram.com',
    graph('instagram-graph', 'instagram', (call) => instagram.handleGraph(call)),
  );

  // Instagram's CDN: profile pictures, no Graph semantics (no faults, no call log).
  app.get(`${PICTURE_PATH}/:file`, (req, res) => {
    const answer = pictures.answer(String(req.params.file), { oh: stringParam(req.query.oh), oe: stringParam(req.query.oe) });
    res
      .status(answer.status)
      .set(answer.headers ?? {})
      .type(answer.type)
      .send(answer.body);
  });

  app.get('/_control/calls', (_req, res) => {
    res.json(control.calls);
  });
  app.post('/_control/:method', async (req, res) => {
    const method = String(req.params.method) as (typeof HTTP_CONTROL_METHODS)[number];
    if (!HTTP_CONTROL_METHODS.includes(method)) {
      res.status(404).json({ error: `unknown control method ${method}; one of ${HTTP_CONTROL_METHODS.join(', ')}` });
      return;
    }
    try {
      const body: unknown = req.body;
      const args: unknown[] = Array.isArray(body) ? body : body && typeof body === 'object' && Object.keys(body).length ? [body] : [];
      // Some methods are async (sendDeauthorize, sendDataDeletion POST to the app): answer their result.
      const result = await (control[method] as (...a: unknown[]) => unknown)(...args);
      res.json({ result: result ?? null });
    } catch (error) {
      res.status(400).json({ error: describeError(error) });
    }
  });
  app.get('/', (_req, res) => {
    const { facebookUsers, instagramUsers } = control.describe();
    const body = `<p>Hosts: ${['www.facebook.com', 'graph.facebook.com', 'www.instagram.com', 'api.instagram.com', 'graph.instagram.com', 'scontent.cdninstagram.com'].map((h) => `<code>/${h}</code>`).join(', ')}.</p>
      <h2>Facebook users</h2><pre>${JSON.stringify(facebookUsers, null, 2)}</pre>
      <h2>Instagram users</h2><pre>${JSON.stringify(instagramUsers, null, 2)}</pre>`;
    res.type('html').send(page('Meta emulator', body));
  });

  const server = app.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;
  options.logger?.debug({ url: baseUrl }, 'Meta emulator listening');

  return {
    url: baseUrl,
    urls: emulatorUrls(baseUrl),
    control,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Query and form parameters as one flat map of strings (the last value wins). */
function paramsOf(req: Request): Record<string, string> {
  const params: Record<string, string> = {};
  new URL(req.originalUrl, 'http://emulator').searchParams.forEach((value, key) => (params[key] = value));
  if (req.body && typeof req.body === 'object' && !Array.isArray(req.body)) {
    for (const [key, value] of Object.entries(req.body as Record<string, unknown>)) {
      if (typeof value === 'string') params[key] = value;
      else if (Array.isArray(value) && value.length) params[key] = String(value[value.length - 1]);
    }
  }
  return params;
}

function stringParam(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function listOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return typeof value === 'string' ? [value] : [];
}

function send(req: Request, res: Response, result: GraphResult, headers: Record<string, string>): void {
  if (result.reset) {
    req.socket.destroy();
    return;
  }
  res
    .status(result.status)
    .set({ ...headers, ...result.headers })
    .type('application/json')
    .send(typeof result.body === 'string' ? result.body : JSON.stringify(result.body));
}

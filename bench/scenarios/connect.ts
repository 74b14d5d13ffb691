import { createHmac } from 'node:crypto';
import { print } from 'graphql';
import { ConnectInstagramDocument, OAuthUrlDocument } from '../../client/generated/graphql';
import { IG_PROFILE_FIELDS } from '../../src/domain/instagram-profile';
import { BENCH_APPS, BENCH_REDIRECT_URI } from '../lib/env';
import { graphql } from '../lib/graphql-client';
import { int, ms } from '../lib/report';
import { memberToken } from '../lib/seed';
import type { EmulatorProcess } from '../lib/servers';
import { summarize, wallClockMs, type LatencySummary } from '../lib/stats';
import type { BenchContext, ResultRow, Scenario, ScenarioResult } from './types';

const PAGES = 10;
const GRAPH_VERSION = 'v25.0';

interface Run {
  latency: LatencySummary;
  /** Meta calls per connect (every connect made the same number). */
  metaCalls: number[];
  /** The calls of one connect, as `METHOD /path`. */
  callsOfOne: string[];
}

/**
 * 3. The Facebook flow with 10 Pages, each linked to an Instagram account, against the emulator:
 * oauthUrl, the dialog's "Allow" (emulator control), then `connectInstagram` timed end to end.
 * Baseline: the same Meta calls made directly with fetch, in the same order and parallelism,
 * with no state check, no encryption, no database and no GraphQL: what Meta alone costs.
 * Run with the emulator answering at once, then with 50 ms added to each call (a near Meta).
 */
export const connect: Scenario = {
  id: 'connect',
  title: '3. Connect (Facebook, 10 Pages)',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const counts = ctx.quick ? { fast: 10, slow: 4 } : { fast: 100, slow: 20 };
    const emulator = ctx.emulator;
    const app = await ctx.startServer('connect');
    let sequence = 0;
    try {
      const connectOnce = async (): Promise<{ ms: number; calls: string[] }> => {
        const member = `connect-member-${sequence++}`;
        const token = memberToken(member);
        const { userId, pageIds } = await facebookUserWithPages(emulator, sequence);
        const { oauthUrl } = await graphql<{ oauthUrl: string }>(app.url, token, print(OAuthUrlDocument), { provider: 'FACEBOOK' });
        const state = new URL(oauthUrl).searchParams.get('state')!;
        const { code } = await emulator.control<{ code: string }>('authorize', {
          provider: 'facebook',
          userId,
          redirectUri: BENCH_REDIRECT_URI,
          state,
          pageIds,
        });
        await emulator.control('resetCalls');
        const started = wallClockMs();
        const { connectInstagram } = await graphql<{ connectInstagram: unknown[] }>(app.url, token, print(ConnectInstagramDocument), { code, state });
        const elapsed = wallClockMs() - started;
        if (connectInstagram.length !== PAGES) throw new Error(`connectInstagram linked ${connectInstagram.length} accounts, expected ${PAGES}`);
        return { ms: elapsed, calls: (await emulator.calls()).map((c) => `${c.method} ${c.path}`) };
      };
      const baselineOnce = async (): Promise<{ ms: number; calls: string[] }> => {
        const { userId, pageIds } = await facebookUserWithPages(emulator, sequence++);
        const { code } = await emulator.control<{ code: string }>('authorize', { provider: 'facebook', userId, redirectUri: BENCH_REDIRECT_URI, pageIds });
        await emulator.control('resetCalls');
        const started = wallClockMs();
        const pages = await metaCallsOfAConnect(emulator.urls.facebookGraph, code);
        const elapsed = wallClockMs() - started;
        if (pages !== PAGES) throw new Error(`the baseline found ${pages} linked Pages, expected ${PAGES}`);
        return { ms: elapsed, calls: (await emulator.calls()).map((c) => `${c.method} ${c.path}`) };
      };
      const repeat = async (times: number, once: () => Promise<{ ms: number; calls: string[] }>): Promise<Run> => {
        await once(); // warm-up, not counted
        const samples: Array<{ ms: number; calls: string[] }> = [];
        for (let i = 0; i < times; i++) samples.push(await once());
        return { latency: summarize(samples.map((s) => s.ms)), metaCalls: samples.map((s) => s.calls.length), callsOfOne: samples[0].calls };
      };

      ctx.log(`${counts.fast} connects, Meta answering at once`);
      const fastOurs = await repeat(counts.fast, connectOnce);
      const fastBaseline = await repeat(counts.fast, baselineOnce);
      ctx.log(`${counts.slow} connects, 50 ms per Meta call`);
      await emulator.control('setLatency', 50);
      let slowOurs: Run;
      let slowBaseline: Run;
      try {
        slowOurs = await repeat(counts.slow, connectOnce);
        slowBaseline = await repeat(counts.slow, baselineOnce);
      } finally {
        await emulator.control('setLatency', 0);
      }

      const callsPerConnect = (run: Run) => {
        const distinct = [...new Set(run.metaCalls)];
        return distinct.length === 1 ? String(distinct[0]) : `${Math.min(...distinct)}–${Math.max(...distinct)}`;
      };
      const rows: ResultRow[] = [
        {
          measure: `connectInstagram p50 / p99, Meta instant (${counts.fast}×)`,
          ours: latency(fastOurs.latency),
          baseline: latency(fastBaseline.latency),
          ratio: fastOurs.latency.p50 / fastBaseline.latency.p50,
        },
        {
          measure: `connectInstagram p50 / p99, Meta +50 ms/call (${counts.slow}×)`,
          ours: latency(slowOurs.latency),
          baseline: latency(slowBaseline.latency),
          ratio: slowOurs.latency.p50 / slowBaseline.latency.p50,
        },
        { measure: 'Meta calls per connect', ours: callsPerConnect(fastOurs), baseline: callsPerConnect(fastBaseline) },
        { measure: 'accounts linked per connect', ours: int(PAGES) },
      ];
      const notes = [
        `Meta calls of one connect: ${summarizeCalls(fastOurs.callsOfOne)}.`,
        `With 50 ms per Meta call the critical path is ${criticalPath} sequential round trips (me and debug_token run in parallel), so ${criticalPath * 50} ms is the floor; the rest is ours.`,
      ];
      return { rows, notes, details: { pages: PAGES, fast: { ours: fastOurs, baseline: fastBaseline }, slow: { ours: slowOurs, baseline: slowBaseline } } };
    } finally {
      await app.stop();
      ctx.seeder.markDirty(); // connects added accounts
    }
  },
};

/** exchange code → long-lived → (me ‖ debug_token) → me/accounts → me/businesses. */
const criticalPath = 5;

async function facebookUserWithPages(emulator: EmulatorProcess, n: number): Promise<{ userId: string; pageIds: string[] }> {
  const user = await emulator.control<{ id: string; pages: Array<{ id: string }> }>('addFacebookUser', {
    name: `Bench Creator ${n}`,
    pages: Array.from({ length: PAGES }, (_, i) => ({
      name: `Bench Page ${n}.${i}`,
      instagram: { username: `bench_${n}_${i}`, followersCount: 1_000 * (i + 1) ** 3, biography: 'Benchmark account', website: 'https://example.com' },
    })),
  });
  return { userId: user.id, pageIds: user.pages.map((p) => p.id) };
}

/**
 * The Meta side of a Facebook connect, with nothing else: the calls ConnectService makes, in the
 * same order and with the same parallelism. Returns the number of Pages with an Instagram account.
 */
async function metaCallsOfAConnect(graphUrl: string, code: string): Promise<number> {
  const app = BENCH_APPS.facebook;
  const get = async <T>(path: string, params: Record<string, string>, token?: string): Promise<T> => {
    const url = new URL(`${graphUrl}/${GRAPH_VERSION}${path}`);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    if (token) {
      url.searchParams.set('access_token', token);
      url.searchParams.set('appsecret_proof', createHmac('sha256', app.secret).update(token).digest('hex'));
    }
    const response = await fetch(url);
    const body = (await response.json()) as T;
    if (!response.ok) throw new Error(`Meta ${path}: HTTP ${response.status} ${JSON.stringify(body)}`);
    return body;
  };
  const short = await get<{ access_token: string }>('/oauth/access_token', {
    client_id: app.id,
    client_secret: app.secret,
    redirect_uri: BENCH_REDIRECT_URI,
    code,
  });
  const long = await get<{ access_token: string }>('/oauth/access_token', {
    grant_type: 'fb_exchange_token',
    client_id: app.id,
    client_secret: app.secret,
    fb_exchange_token: short.access_token,
  });
  const token = long.access_token;
  await Promise.all([get('/me', { fields: 'id,name' }, token), get('/debug_token', { input_token: token, access_token: `${app.id}|${app.secret}` })]);
  const fields = `id,name,access_token,instagram_business_account{${IG_PROFILE_FIELDS.join(',')}}`;
  const pages = await get<{ data: Array<{ instagram_business_account?: unknown }> }>('/me/accounts', { fields }, token);
  const businesses = await get<{ data: Array<{ id: string }> }>('/me/businesses', { fields: 'id', limit: '100' }, token);
  if (businesses.data.length > 0) throw new Error('the baseline does not walk Business Portfolios; the bench users have none');
  return pages.data.filter((p) => p.instagram_business_account).length;
}

/** "GET /v25.0/oauth/access_token ×2, ..." */
function summarizeCalls(calls: string[]): string {
  const counts = new Map<string, number>();
  for (const call of calls) {
    const key = call.replace(/\/\d{6,}\//g, '/{id}/');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([call, n]) => (n > 1 ? `${call} ×${n}` : call)).join(', ');
}

const latency = (s: LatencySummary) => `${ms(s.p50)} / ${ms(s.p99)}`;

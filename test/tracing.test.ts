import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { SyncSocialAccountDocument } from '../client/generated/graphql';
import { loadConfig } from '../src/config';
import { createTracing } from '../src/tracing';
import { connect, instagramUser } from './helpers/flows';
import { appForThisFile } from './helpers/test-app';

/**
 * Optional tracing (OTEL_EXPORTER_OTLP_ENDPOINT): spans for GraphQL operations, Meta calls and
 * database queries, in one trace per operation, and never a token in any of them.
 */
const exporter = new InMemorySpanExporter();
const app = appForThisFile({ spanExporter: exporter });

describe('tracing', () => {
  it('is off by default and on with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    const base = {
      NODE_ENV: 'test',
      DATABASE_URL: 'postgresql://x@127.0.0.1/x',
      JWT_SECRET: 'x'.repeat(32),
      TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
    };
    expect(loadConfig(base).tracing).toBeUndefined();
    expect(createTracing(loadConfig(base)).enabled).toBe(false);
    expect(loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing).toEqual({
      tracesUrl: 'http://collector:4318/v1/traces',
      serviceName: 'instagram-connect',
    });
  });

  it('one GraphQL operation: its span, the Meta call and the database queries under it, no token anywhere', async () => {
    const ig = instagramUser(app);
    const [account] = await connect(app, 'member-traced', 'INSTAGRAM', ig.userId);
    exporter.reset();
    const synced = await app.gql(SyncSocialAccountDocument, { id: account.id }, { memberId: 'member-traced' });
    expect(synced.errors).toBeUndefined();
    const spans = exporter.getFinishedSpans();
    const operation = spans.find((s) => s.name === 'graphql mutation SyncSocialAccount');
    expect(operation).toBeDefined();
    const traceId = operation!.spanContext().traceId;
    const inTrace = spans.filter((s) => s.spanContext().traceId === traceId);
    const meta = inTrace.filter((s) => s.name.startsWith('meta '));
    expect(meta.length).toBeGreaterThan(0);
    expect(meta[0].attributes).toMatchObject({ 'meta.host': 'instagramGraph', 'meta.outcome': 'ok' });
    expect(inTrace.filter((s) => s.name.startsWith('db ')).length).toBeGreaterThan(0);
    const everything = JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status })));
    for (const token of app.emulator.control.tokensOf(ig.userId)) expect(everything).not.toContain(token);
    expect(everything).not.toMatch(/access_token|appsecret_proof/);
  });
});

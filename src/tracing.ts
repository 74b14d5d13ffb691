import { context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchSpanProcessor, SimpleSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import type { RequestHandler } from 'express';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from './config';

/**
 * Optional OpenTelemetry tracing, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set (or a test passes
 * an exporter). Spans: one per GraphQL HTTP operation, one per Meta call (host, operation,
 * outcome: never a URL, a query string or a token) and one per database query (the operation
 * keyword only: statement parameters are where tokens live). Off, every hook is a no-op.
 */
export interface Tracing {
  tracer: Tracer;
  enabled: boolean;
  shutdown(): Promise<void>;
}

let contextManagerInstalled = false;

export function createTracing(config: Config, exporter?: SpanExporter): Tracing {
  if (!config.tracing && !exporter) return { tracer: trace.getTracer('disabled'), enabled: false, shutdown: async () => undefined };
  if (!contextManagerInstalled) {
    // Parent/child spans follow async work; one manager per process (tests start several apps).
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    contextManagerInstalled = true;
  }
  const processor = exporter
    ? new SimpleSpanProcessor({ exporter })
    : new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: config.tracing!.tracesUrl }) });
  const provider = new TracerProvider({ spanProcessors: [processor] });
  return { tracer: provider.getTracer(config.tracing?.serviceName ?? 'instagram-connect'), enabled: true, shutdown: () => provider.shutdown() };
}

/** After body parsing, before Apollo: the operation's span is active while it executes. */
export function graphqlSpanMiddleware(tracing: Tracing): RequestHandler {
  return (_req, res, next) => {
    if (!tracing.enabled) return next();
    tracing.tracer.startActiveSpan('graphql', { kind: SpanKind.SERVER }, (span) => {
      res.once('close', () => span.end());
      next();
    });
  };
}

/** Names the active span after the operation and records whether it failed. */
export function graphqlSpanPlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      const span = trace.getActiveSpan();
      if (!span) return;
      return {
        async didResolveOperation({ operation, operationName }) {
          if (!operation) return;
          span.updateName(`graphql ${operation.operation}${operationName ? ` ${operationName}` : ''}`);
          span.setAttribute('graphql.operation.type', operation.operation);
          if (operationName) span.setAttribute('graphql.operation.name', operationName);
        },
        async willSendResponse({ errors }) {
          if (errors?.length) span.setStatus({ code: SpanStatusCode.ERROR, message: errorCodeOf(errors[0]) });
        },
      };
    },
  };
}

/** A span around one Meta call (with its retries), for MetaHttp's `span` hook. */
export function metaCallSpan(tracing: Tracing) {
  return <T>(host: string, operation: string, run: () => Promise<T>, outcomeOf: (error: unknown) => string): Promise<T> =>
    tracing.tracer.startActiveSpan(
      `meta ${operation}`,
      { kind: SpanKind.CLIENT, attributes: { 'meta.host': host, 'meta.operation': operation } },
      async (span) => {
        try {
          const result = await run();
          span.setAttribute('meta.outcome', 'ok');
          return result;
        } catch (error) {
          span.setAttribute('meta.outcome', outcomeOf(error));
          span.setStatus({ code: SpanStatusCode.ERROR });
          throw error;
        } finally {
          span.end();
        }
      },
    );
}

/** One span per SQL query, from knex's query events (MikroORM runs on knex). */
export function traceDatabase(orm: MikroORM, tracing: Tracing): void {
  if (!tracing.enabled) return;
  const knex = orm.em.getConnection().getKnex();
  const open = new Map<string, ReturnType<Tracer['startSpan']>>();
  knex.on('query', (query: { __knexQueryUid: string; sql: string }) => {
    const operation = /^\s*(\w+)/.exec(query.sql)?.[1]?.toLowerCase() ?? 'query';
    open.set(
      query.__knexQueryUid,
      tracing.tracer.startSpan(
        `db ${operation}`,
        { kind: SpanKind.CLIENT, attributes: { 'db.system': 'postgresql', 'db.operation.name': operation } },
        context.active(),
      ),
    );
  });
  const end = (failed: boolean) => (_result: unknown, query: { __knexQueryUid: string }) => {
    const span = open.get(query.__knexQueryUid);
    if (!span) return;
    open.delete(query.__knexQueryUid);
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  };
  knex.on('query-response', end(false));
  knex.on('query-error', end(true));
}

/** A span's status message is the error's code, never its text (which may name a member's data). */
function errorCodeOf(error: GraphQLError): string {
  const code = error.extensions?.code;
  return typeof code === 'string' ? code : 'error';
}

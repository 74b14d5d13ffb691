import { createSourceEventStream, execute, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';

type Execution = ExecutionResult | Promise<ExecutionResult>;

/**
 * graphql-js `subscribe`, except that subscriptions receiving the same event with the same
 * document and variables share one execution of it.
 *
 * Why: an event reaches every subscription of its member at once (the pub/sub topic is the
 * member), and each executed the same selection over the same data: with 10 subscribers per
 * member, a burst of status changes did ten times the GraphQL work it needed (bench/, scenario 2).
 *
 * Why it is safe: the key includes the event object itself, which is published to one member's
 * topic only, so results are never shared across members; the subscription's fields resolve
 * from the event alone, not from a subscriber's context. A resolver that reads per-subscriber
 * context must not be added to a subscription without revisiting this.
 */
export function createSharedSubscribe(): (args: ExecutionArgs) => Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  // event → document → operation and variables → the one execution; dropped with the event.
  const executions = new WeakMap<object, WeakMap<DocumentNode, Map<string, Execution>>>();

  const executeOnce = (args: ExecutionArgs, event: unknown): Execution => {
    if (typeof event !== 'object' || event === null) return execute({ ...args, rootValue: event });
    let byDocument = executions.get(event);
    if (!byDocument) executions.set(event, (byDocument = new WeakMap()));
    let byVariables = byDocument.get(args.document);
    if (!byVariables) byDocument.set(args.document, (byVariables = new Map<string, Execution>()));
    const key = `${args.operationName ?? ''}\n${JSON.stringify(args.variableValues ?? null)}`;
    let execution = byVariables.get(key);
    if (!execution) byVariables.set(key, (execution = execute({ ...args, rootValue: event })));
    return execution;
  };

  return async (args) => {
    const stream = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in stream)) return stream; // errors before the stream started
    return mapEvents<ExecutionResult>(stream, (event) => executeOnce(args, event));
  };
}

/**
 * Maps an event stream like graphql-js does, and, like it, passes return() straight to the
 * source even while a next() is pending, so a closed socket releases its subscription at once.
 */
function mapEvents<T>(source: AsyncIterable<unknown>, map: (event: unknown) => T | Promise<T>): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const close = async () => {
    await iterator.return?.().catch(() => undefined);
  };
  const mapped = async (result: IteratorResult<unknown>): Promise<IteratorResult<T>> => {
    if (result.done) return { done: true, value: undefined };
    try {
      return { done: false, value: await map(result.value) };
    } catch (error) {
      await close();
      throw error;
    }
  };
  return {
    next: async () => mapped(await iterator.next()),
    return: async () => {
      await close();
      return { done: true, value: undefined };
    },
    throw: async (error: unknown) => {
      await close();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

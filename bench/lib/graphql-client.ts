import type { GraphQLFormattedError } from 'graphql';

export interface GraphQLReply<T> {
  data?: T | null;
  errors?: GraphQLFormattedError[];
}

/** One GraphQL operation over HTTP, as the frontend sends it. */
export async function postGraphQL<T>(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ body: string; reply: GraphQLReply<T> }> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.text();
  return { body, reply: JSON.parse(body) as GraphQLReply<T> };
}

/** Like postGraphQL, but any error is a failure of the benchmark. */
export async function graphql<T>(url: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const { reply } = await postGraphQL<T>(url, token, query, variables);
  if (reply.errors?.length || !reply.data) throw new Error(`GraphQL failed: ${JSON.stringify(reply.errors ?? reply)}`);
  return reply.data;
}

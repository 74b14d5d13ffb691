/**
 * What express middleware (body-parser, raw-body) puts on an error it raised about the request
 * itself: an HTTP `status` (400, 413, 415 …) and, from body-parser, a `type` such as
 * `entity.too.large`. Anything else thrown reaches the error handlers without these fields.
 */
export interface MiddlewareErrorFields {
  status?: number;
  type?: string;
}

export function middlewareErrorFields(error: unknown): MiddlewareErrorFields {
  if (typeof error !== 'object' || error === null) return {};
  const { status, type } = error as Record<string, unknown>;
  return { status: typeof status === 'number' ? status : undefined, type: typeof type === 'string' ? type : undefined };
}

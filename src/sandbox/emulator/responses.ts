import { randomBytes } from 'node:crypto';

/** What a handler answers; `body` is sent as-is when it is a string (raw JSON with big numbers). */
export interface GraphResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Drop the connection instead of answering (a network reset). */
  reset?: boolean;
}

export const ok = (body: unknown): GraphResult => ({ status: 200, body });

/** Meta's Graph error envelope. */
export function graphError(
  status: number,
  code: number,
  message: string,
  extra: { subcode?: number; type?: string; isTransient?: boolean; userTitle?: string; userMessage?: string } = {},
): GraphResult {
  return {
    status,
    body: {
      error: {
        message,
        type: extra.type ?? 'OAuthException',
        code,
        ...(extra.subcode !== undefined ? { error_subcode: extra.subcode } : {}),
        ...(extra.userTitle ? { error_user_title: extra.userTitle } : {}),
        ...(extra.userMessage ? { error_user_msg: extra.userMessage } : {}),
        ...(extra.isTransient !== undefined ? { is_transient: extra.isTransient } : {}),
        fbtrace_id: randomBytes(8).toString('base64url'),
      },
    },
  };
}

/** api.instagram.com's OAuth endpoint answers errors in a flat shape. */
export function instagramOAuthError(message: string): GraphResult {
  return { status: 400, body: { error_type: 'OAuthException', code: 400, error_message: message } };
}

export const missingObject = (id: string) =>
  graphError(
    400,
    100,
    `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
    { subcode: 33, type: 'GraphMethodException' },
  );

export const authError = (problem: { subcode?: number; message: string }) => graphError(400, 190, problem.message, { subcode: problem.subcode });

export const unknownField = (result: { unknownField: string; nodeType: string }) =>
  graphError(400, 100, `(#100) Tried accessing nonexisting field (${result.unknownField}) on node type (${result.nodeType})`);

import { createHash } from 'node:crypto';

/**
 * What a status-event cursor says: the event's position in its member's sequence (commit order,
 * see account-status.service.ts) and when it happened (for retention). Opaque to clients: base64url
 * of `v1:<member tag>:<position>:<changedAt ms>`. The member tag (a truncated SHA-256 of the member
 * id, so the cursor does not spell the id out) tells a foreign cursor from a malformed one.
 */
export interface StatusCursor {
  position: number;
  changedAtMs: number;
}

const FORMAT = /^v1:([0-9a-f]{12}):(\d{1,15}):(\d{1,15})$/;

function memberTag(memberId: string): string {
  return createHash('sha256').update(memberId).digest('hex').slice(0, 12);
}

export function encodeCursor(memberId: string, position: number, changedAt: Date): string {
  return Buffer.from(`v1:${memberTag(memberId)}:${position}:${changedAt.getTime()}`, 'utf8').toString('base64url');
}

/** Why a cursor was refused: not one we gave out, or another member's. The caller says it to the client. */
export type CursorRefusal = 'malformed' | 'foreign';

/** The member's cursor, or why it is refused. Plain data: the service turns a refusal into its API error. */
export function decodeCursor(memberId: string, cursor: string): StatusCursor | CursorRefusal {
  const match = typeof cursor === 'string' && cursor.length <= 100 ? FORMAT.exec(Buffer.from(cursor, 'base64url').toString('utf8')) : null;
  if (!match) return 'malformed';
  if (match[1] !== memberTag(memberId)) return 'foreign';
  return { position: Number(match[2]), changedAtMs: Number(match[3]) };
}

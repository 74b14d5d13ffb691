import type { EntityManager } from '@mikro-orm/postgresql';

/** meta_rate_limit_pause: one row per scope Meta paused, read and written by RateLimitGate. */

export interface PauseRow {
  scope: string;
  kind: string;
  until: Date;
  reason: string;
}

/**
 * Saves these pauses (per scope, the later end wins) and sends what was saved on `channel`, in
 * one statement: every listening process learns a pause the moment it is stored.
 */
export async function savePausesAndNotify(em: EntityManager, pauses: PauseRow[], now: Date, channel: string): Promise<void> {
  const rows = pauses.map((p) => ({ scope: p.scope, kind: p.kind, until: p.until.toISOString(), reason: p.reason }));
  await em.execute(
    `with input as (select * from jsonb_to_recordset(?::jsonb) as x(scope text, kind text, until timestamptz, reason text)),
          saved as (
            insert into meta_rate_limit_pause (scope, kind, paused_until, reason, updated_at)
            select scope, kind, until, reason, ? from input
            on conflict (scope) do update set
              paused_until = greatest(meta_rate_limit_pause.paused_until, excluded.paused_until),
              kind = excluded.kind, reason = excluded.reason, updated_at = excluded.updated_at
            returning scope, paused_until)
     select pg_notify(?, json_agg(json_build_object('scope', scope, 'until', paused_until))::text) from saved`,
    [JSON.stringify(rows), now, channel],
  );
}

/** The pauses still running at `now`. */
export function activePauses(em: EntityManager, now: Date): Promise<Array<{ scope: string; paused_until: Date }>> {
  return em.execute<Array<{ scope: string; paused_until: Date }>>('select scope, paused_until from meta_rate_limit_pause where paused_until > ?', [now]);
}

/** Deletes pauses that ended before `before`. */
export async function deletePausesEndedBefore(em: EntityManager, before: Date): Promise<void> {
  await em.execute('delete from meta_rate_limit_pause where paused_until < ?', [before]);
}

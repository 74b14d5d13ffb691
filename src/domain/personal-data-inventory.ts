/**
 * Where personal data lives: every table and column of the schema, classified, with its retention
 * and what each kind of deletion does to it. docs/personal-data.md is written from this module, a
 * test holds the live schema to it (a column missing here fails), and the erasure routine
 * (services/privacy/erase-data.ts) walks it, table by table, so a new table cannot be forgotten by
 * the deletion either.
 *
 * Adding a table is one entry: `my_table: accountRows('what it holds', 'how long', { column: KIND, ... })`
 * for rows about one linked account (deleted with it), `memberRows(...)` for rows of a member
 * (deleted by member erasure), or `kept(...)` with the reason nothing of it is personal.
 */

/**
 * - `personal`: describes a creator or a member (profile fields, figures, free text that may name them);
 * - `identifier`: points at a person (Meta's ids, our member ids, our account ids, hashes of them);
 * - `secret`: a token (AES-256-GCM sealed; see docs/operations.md "Rotating keys");
 * - `none`: holds nothing about a person (times, counters, statuses, our bookkeeping).
 */
export type DataClass = 'personal' | 'identifier' | 'secret' | 'none';

/** The steps of the erasure routine that are not plain "delete rows naming the account/member" (each has one handler). */
export type ErasureStep = 'accounts' | 'grants' | 'webhookOutbox' | 'memberRateLimits' | 'rateLimitPauses';

/** How the erasure routine reaches a table's rows of an erased account or member. */
export type Erasure =
  /** Rows whose `column` is an erased account's id are deleted; with `memberColumn`, a member erasure also deletes the member's rows by it. */
  | { by: 'account'; column: string; memberColumn?: string }
  /** Only a member erasure deletes them: rows whose `column` is the member's id. */
  | { by: 'member'; column: string }
  /** A dedicated step (services/privacy/erase-data.ts). */
  | { by: 'step'; step: ErasureStep }
  /** Never deleted by an erasure: `why` says why that is right. */
  | { by: 'keep'; why: string };

export interface TableInventory {
  holds: string;
  retention: string;
  columns: Record<string, DataClass>;
  erasure: Erasure;
  /** What each kind of deletion does to the table (for docs/personal-data.md). */
  onDeletion: { deauthorize: string; metaDataDeletion: string; memberErasure: string };
}

const DELETED = 'deleted';

/** Rows about one linked account: deleted by a data deletion (with the account) and a member erasure. */
export function accountRows(holds: string, retention: string, columns: Record<string, DataClass>, column = 'account_id'): TableInventory {
  return {
    holds,
    retention,
    columns,
    erasure: { by: 'account', column, memberColumn: 'member_id' in columns ? 'member_id' : undefined },
    onDeletion: { deauthorize: 'kept (the account is only DISCONNECTED)', metaDataDeletion: DELETED, memberErasure: DELETED },
  };
}

/** Rows of a member (not of one account): deleted by a member erasure only. */
export function memberRows(holds: string, retention: string, columns: Record<string, DataClass>, column = 'member_id'): TableInventory {
  return {
    holds,
    retention,
    columns,
    erasure: { by: 'member', column },
    onDeletion: { deauthorize: 'kept', metaDataDeletion: "kept (the member's, not the creator's)", memberErasure: DELETED },
  };
}

/** A table nothing personal is in, or an audit record kept on purpose. */
export function kept(holds: string, retention: string, columns: Record<string, DataClass>, why: string): TableInventory {
  return { holds, retention, columns, erasure: { by: 'keep', why }, onDeletion: { deauthorize: 'kept', metaDataDeletion: 'kept', memberErasure: 'kept' } };
}

function withDeletion(table: TableInventory, onDeletion: Partial<TableInventory['onDeletion']>): TableInventory {
  return { ...table, onDeletion: { ...table.onDeletion, ...onDeletion } };
}

/**
 * Every table, in the order the erasure routine visits them: accounts first (which decides what
 * is erased: a data deletion keeps an account the member connected again), then what names them.
 */
export const PERSONAL_DATA_INVENTORY: Record<string, TableInventory> = {
  social_account: {
    holds: 'a linked Instagram account: its profile as Meta last gave it, figures, price, status, tokens, worker bookkeeping',
    retention: 'until a data deletion (Meta callback) or a member erasure; a DISCONNECTED account stays listed for its member until then',
    erasure: { by: 'step', step: 'accounts' },
    onDeletion: {
      deauthorize: 'DISCONNECTED, token_encrypted emptied, due times cleared; profile kept so the member sees what was disconnected and why',
      metaDataDeletion: 'deleted once META_DATA_DELETION_GRACE_SECONDS passed after its DISCONNECTED event (kept if the member connected it again meanwhile)',
      memberErasure: 'deleted at once',
    },
    columns: {
      id: 'identifier',
      member_id: 'identifier',
      platform: 'none',
      provider: 'none',
      platform_user_id: 'identifier',
      username: 'personal',
      name: 'personal',
      profile_picture_url: 'personal',
      biography: 'personal',
      website: 'personal',
      followers_count: 'personal',
      following_count: 'personal',
      media_count: 'personal',
      account_type: 'personal',
      connection_status: 'none',
      status_reason: 'personal', // may name the Facebook Page
      price_tier: 'personal',
      price: 'personal',
      currency: 'none',
      grant_id: 'identifier',
      token_encrypted: 'secret',
      token_expires_at: 'none',
      needs_reconnect_by: 'none',
      last_synced_at: 'none',
      connected_at: 'none',
      updated_at: 'none',
      created_at: 'none',
      next_check_at: 'none',
      lease_until: 'none',
      lease_owner: 'none',
      failure_count: 'none',
      first_failure_at: 'none',
      last_failure_reason: 'personal', // Meta's error text, may name the Page
      page_id: 'identifier',
      page_name: 'personal',
      recheck_until: 'none',
      version: 'none',
    },
  },
  connection_event: accountRows('the status history of an account (subscriptions, statusHistory, cursors)', 'STATUS_EVENT_RETENTION_DAYS (30)', {
    id: 'identifier',
    account_id: 'identifier',
    member_id: 'identifier',
    position: 'none',
    previous_status: 'none',
    status: 'none',
    reason: 'personal', // may name the Facebook Page
    changed_at: 'none',
  }),
  account_metrics: accountRows(
    "an account's creator metrics: engagement from its recent posts, insights and audience when granted, the refresh's bookkeeping",
    'as long as the account (one row, overwritten by each refresh)',
    {
      account_id: 'identifier',
      computed_at: 'none',
      posts_considered: 'personal',
      window_days: 'none',
      avg_likes: 'personal',
      avg_comments: 'personal',
      avg_views: 'personal',
      engagement_rate: 'personal',
      posts_per_week: 'personal',
      media_mix: 'personal',
      likes_hidden_posts: 'personal',
      avg_reach: 'personal',
      avg_saves: 'personal',
      avg_shares: 'personal',
      insights_days: 'none',
      reach_total: 'personal',
      views_total: 'personal',
      insights_as_of: 'none',
      audience: 'personal', // follower counts per age, gender, country and city group (aggregates only)
      audience_as_of: 'none',
      next_refresh_at: 'none',
      lease_until: 'none',
      lease_owner: 'none',
      failure_count: 'none',
      last_error: 'personal', // Meta's error text, may name the account
    },
  ),
  account_metrics_day: accountRows(
    "an account's daily growth snapshot: followers, following, posts, engagement rate",
    'METRICS_HISTORY_RETENTION_DAYS (400; the worker prunes)',
    {
      account_id: 'identifier',
      day: 'none',
      followers: 'personal',
      following: 'personal',
      media_count: 'personal',
      engagement_rate: 'personal',
      recorded_at: 'none',
    },
  ),
  connect_link: accountRows(
    "a hosted connect or reconnect link the platform's backend created for a member: hash of its token, the member, the account to reconnect",
    'until 30 days after it expires (CONNECT_LINK_TTL_HOURS, 72; housekeeping)',
    {
      id: 'none',
      token_hash: 'secret',
      member_id: 'identifier',
      provider: 'none',
      account_id: 'identifier',
      return_url: 'none',
      created_by: 'none',
      created_at: 'none',
      expires_at: 'none',
      revoked_at: 'none',
      completed_at: 'none',
      state_hash: 'none',
    },
  ),
  webhook_event: {
    holds:
      'the status webhooks outbox: each event with the exact JSON body sent (the GraphQL account: username, name, biography, ids, picture URL, figures; memberId)',
    retention: 'WEBHOOK_RETENTION_DAYS (30) once nothing is pending',
    erasure: { by: 'step', step: 'webhookOutbox' },
    onDeletion: {
      deauthorize: 'kept (the account.disconnected event is sent as usual)',
      metaDataDeletion:
        'delivered and failed events deleted with their deliveries; pending ones redacted to ids and status (delivered later without the profile)',
      memberErasure: 'deleted, pending ones too, with their deliveries',
    },
    columns: {
      id: 'identifier',
      seq: 'none',
      type: 'none',
      account_id: 'identifier',
      member_id: 'identifier',
      connection_event_id: 'identifier',
      window_key: 'identifier', // <account id>:<deadline>
      body: 'personal',
      occurred_at: 'none',
      created_at: 'none',
    },
  },
  webhook_delivery: {
    holds: 'one event to one endpoint: attempts, outcome',
    retention: 'with its event',
    erasure: { by: 'step', step: 'webhookOutbox' },
    onDeletion: {
      deauthorize: 'kept',
      metaDataDeletion: 'deleted with a settled event; kept (holding only our account id) while its redacted event is pending',
      memberErasure: DELETED,
    },
    columns: {
      id: 'none',
      event_id: 'identifier',
      event_seq: 'none',
      account_id: 'identifier',
      endpoint: 'none',
      status: 'none',
      attempts: 'none',
      next_attempt_at: 'none',
      give_up_at: 'none',
      lease_until: 'none',
      last_attempt_at: 'none',
      last_status_code: 'none',
      last_error: 'none',
      delivered_at: 'none',
      created_at: 'none',
    },
  },
  meta_grant: {
    holds: "one Meta user's authorization for one member: Meta's user ids, the user token, its deadlines and scopes",
    retention: 'while an account uses it or it holds a token',
    erasure: { by: 'step', step: 'grants' },
    onDeletion: {
      deauthorize: 'token_encrypted emptied (Meta already ended the authorization); the row stays while its DISCONNECTED accounts do',
      metaDataDeletion: 'deleted when it holds no token and no account (a grant the member renewed meanwhile is kept)',
      memberErasure: "deleted; Meta's grant revoked first when no other member relies on that Meta user (the revoke rule)",
    },
    columns: {
      id: 'identifier',
      member_id: 'identifier',
      provider: 'none',
      meta_user_id: 'identifier',
      app_scoped_user_id: 'identifier',
      token_encrypted: 'secret',
      token_issued_at: 'none',
      token_expires_at: 'none',
      data_access_expires_at: 'none',
      scopes: 'none',
      last_checked_at: 'none',
      created_at: 'none',
      updated_at: 'none',
    },
  },
  meta_rate_limit_pause: {
    holds: 'a rate-limit pause Meta imposed on one scope: `<kind>:<Meta id or token fingerprint>`',
    retention: 'until the pause ended plus a day (deleted by the rate-limit gate)',
    erasure: { by: 'step', step: 'rateLimitPauses' },
    onDeletion: {
      deauthorize: 'kept (expires on its own)',
      metaDataDeletion: "pauses naming the deleted accounts' or grants' Meta ids deleted",
      memberErasure: "pauses naming the erased accounts' or grants' Meta ids deleted",
    },
    columns: { scope: 'identifier', kind: 'none', paused_until: 'none', reason: 'none', updated_at: 'none' },
  },
  oauth_state: withDeletion(
    memberRows('a pending OAuth dialog: hash of the state, member, redirect URI', 'until 1 minute after expiry (10 minutes after issue; housekeeping)', {
      id: 'none',
      state_hash: 'none',
      member_id: 'identifier',
      provider: 'none',
      redirect_uri: 'none',
      expires_at: 'none',
      used_at: 'none',
      claim_id: 'none',
      claimed_until: 'none',
      created_at: 'none',
    }),
    { metaDataDeletion: "the affected members' pending states of that flow deleted at once (a state is not tied to a Meta user before the code comes back)" },
  ),
  member_event_seq: memberRows('per member: the last status-event position handed out and the highest pruned', 'as long as the member has events', {
    member_id: 'identifier',
    last: 'none',
    pruned_through: 'none',
  }),
  member_rate_limit: {
    holds: 'per member and budget window: points spent (`<budget>:<member id>`)',
    retention: 'until the window ended (RATE_LIMIT_WINDOW_SECONDS; housekeeping)',
    erasure: { by: 'step', step: 'memberRateLimits' },
    onDeletion: { deauthorize: 'kept', metaDataDeletion: "kept (the member's, not the creator's)", memberErasure: DELETED },
    columns: { key: 'identifier', points: 'none', expire: 'none' },
  },
  meta_data_deletion: kept(
    'the audit record of a Meta data deletion request: confirmation code, flow, times, counts, SHA-256 of the Meta user id',
    'kept (what the status page Meta links the user to reads)',
    {
      id: 'none',
      confirmation_code: 'none',
      provider: 'none',
      meta_user_hash: 'identifier',
      status: 'none',
      received_at: 'none',
      delete_after: 'none',
      completed_at: 'none',
      pending_account_ids: 'identifier', // our account ids, emptied on completion
      pending_grant_ids: 'identifier', // our grant ids, emptied on completion
      accounts_deleted: 'none',
      grants_deleted: 'none',
      oauth_states_deleted: 'none',
      events_deleted: 'none',
    },
    'the deletion audit record: Meta requires a status page for the request; it holds no profile field, only a hash of the Meta user id',
  ),
  member_erasure: kept(
    'the audit record of a member erasure: SHA-256 of the member id, when, counts',
    'kept (proof the erasure happened; counted in /metrics)',
    {
      id: 'none',
      member_hash: 'identifier',
      erased_at: 'none',
      accounts_deleted: 'none',
      grants_deleted: 'none',
      grants_revoked: 'none',
      events_deleted: 'none',
      webhook_events_deleted: 'none',
      other_rows_deleted: 'none',
    },
    'the erasure audit record: holds no profile field, only a hash of the member id',
  ),
  mikro_orm_migrations: kept('which migrations ran', 'kept', { id: 'none', name: 'none', executed_at: 'none' }, 'schema bookkeeping, nothing about people'),
};

/** Where else personal data appears: outside the tables (webhook bodies, logs, traces, metrics). */
export interface ChannelInventory {
  channel: string;
  fields: string;
  retention: string;
  onDeletion: string;
}

export const PERSONAL_DATA_CHANNELS: ChannelInventory[] = [
  {
    channel: 'status webhook bodies (account.* events)',
    fields: 'data.memberId; data.account: id, platformUserId, username, name, profilePictureUrl, biography, website, figures, price, status, reason',
    retention: "in webhook_event (see above); on the receiver, the receiver's own policy",
    onDeletion:
      "data deletion: pending bodies redacted to ids and status, settled ones deleted; member erasure: all deleted. What was delivered is the receiver's copy",
  },
  {
    channel: 'GraphQL subscriptions and REST answers',
    fields: 'the SocialAccount fields, to the member who linked the account',
    retention: 'not stored',
    onDeletion: 'a deleted account is no longer readable',
  },
  {
    channel: 'logs (pino JSON)',
    fields:
      "accountId; memberId (limit refusals, WebSocket errors); a Meta rate-limit pause's scope (`<kind>:<Meta id>`); confirmationCode; memberHash (erasures); err (Meta's error text); never tokens or profile fields",
    retention: "the log pipeline's (outside this service)",
    onDeletion: "not rewritten: identifiers only, no profile field; the log pipeline's retention bounds them",
  },
  {
    channel: 'traces (OpenTelemetry)',
    fields: 'graphql.operation.type/name, meta.host, meta.operation, meta.outcome, db.operation.name: no ids, no profile fields',
    retention: "the trace backend's",
    onDeletion: 'nothing personal to delete',
  },
  {
    channel: 'metrics (/metrics)',
    fields: 'labels are kinds and outcomes only (status, host, scope kind, limit, key id), never an id',
    retention: "the metrics backend's",
    onDeletion: 'nothing personal to delete',
  },
];

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The inventory as docs/personal-data.md shows it (a test keeps the doc equal to this). */
export function renderInventoryMarkdown(): string {
  const lines = [
    '| table | holds | retention | personal | identifiers | secrets |',
    '|---|---|---|---|---|---|',
    ...Object.entries(PERSONAL_DATA_INVENTORY).map(([table, entry]) => {
      const of = (kind: DataClass) =>
        Object.entries(entry.columns)
          .filter(([, k]) => k === kind)
          .map(([c]) => `\`${c}\``)
          .join(', ') || '—';
      return `| \`${table}\` | ${cell(entry.holds)} | ${cell(entry.retention)} | ${of('personal')} | ${of('identifier')} | ${of('secret')} |`;
    }),
    '',
    'Every other column is classified `none` (times, counters, statuses, bookkeeping).',
    '',
    '| table | deauthorize | Meta data deletion | member erasure |',
    '|---|---|---|---|',
    ...Object.entries(PERSONAL_DATA_INVENTORY).map(
      ([table, { onDeletion: d }]) => `| \`${table}\` | ${cell(d.deauthorize)} | ${cell(d.metaDataDeletion)} | ${cell(d.memberErasure)} |`,
    ),
    '',
    '| outside the tables | fields | retention | on deletion |',
    '|---|---|---|---|',
    ...PERSONAL_DATA_CHANNELS.map((c) => `| ${cell(c.channel)} | ${cell(c.fields)} | ${cell(c.retention)} | ${cell(c.onDeletion)} |`),
    '',
  ];
  return lines.join('\n');
}

import { createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Pool } from 'pg';
import { DEFAULT_PRICE_POLICY, priceFor } from '../../src/domain/price-policy';
import { TokenCipher } from '../../src/services/tokens/token-cipher';
import { BENCH_JWT_SECRET, BENCH_TOKEN_KEY } from './env';

export const ACCOUNTS_PER_MEMBER = 20;
const ROWS_PER_INSERT = 2_000;
const DAY_MS = 86_400_000;

export function memberId(index: number): string {
  return `member-${index.toString().padStart(6, '0')}`;
}

/** A KeyObject: given a string, jsonwebtoken tries (and fails) a PEM parse on every call. */
const signingKey = createSecretKey(Buffer.from(BENCH_JWT_SECRET, 'utf8'));

/** A platform JWT for a seeded member (or any member id), as the frontend would send it. */
export function memberToken(member: number | string, ttlSeconds = 4 * 3600): string {
  const subject = typeof member === 'number' ? memberId(member) : member;
  return jwt.sign({}, signingKey, { algorithm: 'HS256', subject, expiresIn: ttlSeconds });
}

/**
 * Bulk-loads members the way the app would have stored them: one Facebook grant per member and
 * ACCOUNTS_PER_MEMBER linked accounts, every token an AES-256-GCM envelope sealed with the
 * server's key and bound to its row (so the app could open it). Rows go in with multi-row
 * `INSERT ... SELECT FROM unnest(...)`; 200,000 accounts take seconds, not minutes.
 */
export class Seeder {
  private readonly pool: Pool;
  private readonly cipher = new TokenCipher({ current: { id: 'bench', key: Buffer.from(BENCH_TOKEN_KEY, 'base64') }, old: [] });
  private random = mulberry32(42);
  /** Members 0..members-1 are seeded and untouched. */
  private members = 0;
  private dirty = false;

  constructor(databaseUrl: string) {
    this.pool = new Pool({ connectionString: databaseUrl, max: 12, application_name: 'bench-seeder' });
  }

  /** Scenarios that change seeded rows call this so the next one starts from clean data. */
  markDirty(): void {
    this.dirty = true;
  }

  /** At least `count` clean members (reseeds from scratch after a scenario changed rows). */
  async ensureMembers(count: number): Promise<void> {
    if (this.dirty) await this.reset();
    if (this.members < count) await this.addMembers(count - this.members);
  }

  /** Exactly `count` members: the table holds count × ACCOUNTS_PER_MEMBER seeded accounts. */
  async exactlyMembers(count: number): Promise<void> {
    if (this.dirty || this.members > count) await this.reset();
    if (this.members < count) await this.addMembers(count - this.members);
  }

  async reset(): Promise<void> {
    // account_metrics(_day) reference social_account: truncated with it (the cost-growth scenario fills them).
    await this.pool.query('truncate social_account, meta_grant, connection_event, oauth_state, account_metrics, account_metrics_day');
    this.members = 0;
    this.dirty = false;
    this.random = mulberry32(42);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async addMembers(count: number): Promise<void> {
    const first = this.members;
    const membersPerInsert = ROWS_PER_INSERT / ACCOUNTS_PER_MEMBER;
    const inserts: Array<() => Promise<void>> = [];
    for (let start = first; start < first + count; start += membersPerInsert) {
      const end = Math.min(first + count, start + membersPerInsert);
      inserts.push(() => this.insertMembers(start, end));
    }
    // A few inserts in flight keep PostgreSQL busy while the next batch is encrypted.
    const workers = Array.from({ length: 4 }, async () => {
      for (let job = inserts.shift(); job; job = inserts.shift()) await job();
    });
    await Promise.all(workers);
    this.members = first + count;
    await this.pool.query('analyze social_account; analyze meta_grant');
  }

  private async insertMembers(from: number, to: number): Promise<void> {
    const now = Date.now();
    const grants = { id: [] as string[], member: [] as string[], metaUser: [] as string[], token: [] as string[] };
    const a = {
      id: [] as string[],
      member: [] as string[],
      platformUserId: [] as string[],
      username: [] as string[],
      name: [] as string[],
      picture: [] as string[],
      biography: [] as string[],
      website: [] as Array<string | null>,
      followers: [] as number[],
      following: [] as number[],
      media: [] as number[],
      accountType: [] as string[],
      status: [] as string[],
      reason: [] as Array<string | null>,
      tier: [] as string[],
      price: [] as number[],
      grant: [] as string[],
      token: [] as string[],
      reconnectBy: [] as string[],
      syncedAt: [] as string[],
      connectedAt: [] as string[],
      nextCheckAt: [] as string[],
    };
    for (let m = from; m < to; m++) {
      const member = memberId(m);
      const grantId = randomUUID();
      grants.id.push(grantId);
      grants.member.push(member);
      grants.metaUser.push(`10${(m + 1).toString().padStart(13, '0')}`);
      grants.token.push(this.cipher.encrypt(fakeMetaToken(), `grant:${grantId}`));
      for (let i = 0; i < ACCOUNTS_PER_MEMBER; i++) {
        const id = randomUUID();
        const igId = `178414${(m * ACCOUNTS_PER_MEMBER + i).toString().padStart(11, '0')}`;
        // Reach is log-uniform between 100 and 5M followers, so every price tier occurs.
        const followers = Math.round(100 * Math.pow(50_000, this.random()));
        const price = priceFor(followers, DEFAULT_PRICE_POLICY);
        const roll = this.random();
        a.id.push(id);
        a.member.push(member);
        a.platformUserId.push(igId);
        a.username.push(`creator_${m}_${i}`);
        a.name.push(`Creator ${m}.${i}`);
        a.picture.push(
          `https://scontent.cdninstagram.com/v/t51.2885-19/${igId}_${randomBytes(6).toString('hex')}_n.jpg?stp=dst-jpg_s150x150&_nc_ht=scontent.cdninstagram.com`,
        );
        a.biography.push(`Travel, food and everyday stories from creator ${m}.${i}. Collabs: creator${m}x${i}@example.com`);
        a.website.push(i % 3 === 0 ? null : `https://creator-${m}-${i}.example.com`);
        a.followers.push(followers);
        a.following.push(Math.round(this.random() * 2_000));
        a.media.push(Math.round(this.random() * 3_000));
        a.accountType.push(i % 4 === 0 ? 'CREATOR' : 'BUSINESS');
        // Mostly connected; some expired or failing, as a live fleet looks. None disconnected:
        // the default list shows all 20.
        const status = roll < 0.9 ? 'CONNECTED' : roll < 0.95 ? 'EXPIRED' : 'ERROR';
        a.status.push(status);
        a.reason.push(
          status === 'EXPIRED'
            ? 'The Facebook session expired; reconnect to keep this account working.'
            : status === 'ERROR'
              ? 'A required permission is missing or was removed (Meta code 10); reconnect and allow every permission.'
              : null,
        );
        a.tier.push(price.tier);
        a.price.push(price.price);
        a.grant.push(grantId);
        a.token.push(this.cipher.encrypt(fakeMetaToken(), `account:${id}`));
        a.reconnectBy.push(new Date(now + (30 + this.random() * 60) * DAY_MS).toISOString());
        a.syncedAt.push(new Date(now - this.random() * DAY_MS).toISOString());
        a.connectedAt.push(new Date(now - (i + this.random()) * 7 * DAY_MS).toISOString());
        a.nextCheckAt.push(new Date(now + this.random() * DAY_MS).toISOString());
      }
    }
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      await client.query(
        `insert into meta_grant (id, member_id, provider, meta_user_id, token_encrypted, token_issued_at, token_expires_at,
                                 data_access_expires_at, scopes, created_at, updated_at, last_checked_at)
         select g.id, g.member_id, 'FACEBOOK', g.meta_user_id, g.token, now() - interval '3 days', now() + interval '57 days',
                now() + interval '87 days', '{instagram_basic,pages_show_list,pages_read_engagement,business_management}',
                now() - interval '3 days', now(), now() - interval '1 hour'
           from unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) as g(id, member_id, meta_user_id, token)`,
        [grants.id, grants.member, grants.metaUser, grants.token],
      );
      await client.query(
        `insert into social_account (id, member_id, platform, provider, platform_user_id, username, name, profile_picture_url,
                                     biography, website, followers_count, following_count, media_count, account_type,
                                     connection_status, status_reason, price_tier, price, currency, grant_id, token_encrypted,
                                     token_expires_at, needs_reconnect_by, last_synced_at, connected_at, updated_at, created_at,
                                     next_check_at, failure_count, version)
         select r.id, r.member_id, 'INSTAGRAM', 'FACEBOOK', r.platform_user_id, r.username, r.name, r.picture, r.biography,
                r.website, r.followers, r.following, r.media, r.account_type, r.status, r.reason, r.tier, r.price, 'USD', r.grant_id,
                r.token, null, r.reconnect_by, r.synced_at, r.connected_at, r.synced_at, r.connected_at, r.next_check_at, 0, 1
           from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                       $9::int[], $10::int[], $11::int[], $12::text[], $13::text[], $14::text[], $15::text[], $16::bigint[],
                       $17::uuid[], $18::text[], $19::timestamptz[], $20::timestamptz[], $21::timestamptz[], $22::timestamptz[])
             as r(id, member_id, platform_user_id, username, name, picture, biography, website, followers, following, media,
                  account_type, status, reason, tier, price, grant_id, token, reconnect_by, synced_at, connected_at, next_check_at)`,
        [
          a.id,
          a.member,
          a.platformUserId,
          a.username,
          a.name,
          a.picture,
          a.biography,
          a.website,
          a.followers,
          a.following,
          a.media,
          a.accountType,
          a.status,
          a.reason,
          a.tier,
          a.price,
          a.grant,
          a.token,
          a.reconnectBy,
          a.syncedAt,
          a.connectedAt,
          a.nextCheckAt,
        ],
      );
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/** Shaped like a long-lived Facebook token: EAA + ~190 base64ish characters. */
function fakeMetaToken(): string {
  return `EAA${randomBytes(144).toString('base64url')}`;
}

/** A tiny seeded PRNG, so every run seeds the same reach distribution. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

import { ReferenceKind, type EntityProperty } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { getMetadataStorage } from 'type-graphql';
import { SocialAccount } from '../../entities';
import { SocialConnectionStatus, SocialPlatform } from '../../domain/social-account';

/**
 * A linked account as clients see it: the properties GraphQL exposes (SocialAccount's @Field
 * members), as a plain read-only object instead of a managed entity. GraphQL resolves those
 * fields from properties, so both serialize the same. For reads that only show accounts: the
 * list and subscription events.
 */
export type AccountSnapshot = Pick<
  SocialAccount,
  | 'id'
  | 'platform'
  | 'provider'
  | 'platformUserId'
  | 'username'
  | 'name'
  | 'profilePictureUrl'
  | 'biography'
  | 'website'
  | 'followersCount'
  | 'followingCount'
  | 'mediaCount'
  | 'accountType'
  | 'connectionStatus'
  | 'statusReason'
  | 'priceTier'
  | 'price'
  | 'currency'
  | 'tokenExpiresAt'
  | 'needsReconnectBy'
  | 'lastSyncedAt'
  | 'connectedAt'
  | 'updatedAt'
>;

interface SnapshotMapping {
  /** The select list for the `social_account` row aliased `a`, each column under its property name. */
  columns: string;
  /** Turns a row selected with `columns` into a snapshot, in place. */
  toSnapshot(row: Record<string, unknown>): AccountSnapshot;
}

/** Per ORM instance (tests run several in one process), built on first use. */
const mappings = new WeakMap<object, SnapshotMapping>();

/**
 * The member's accounts, newest first, in one statement and without the unit of work.
 *
 * Why not em.find: hydrating managed entities (identity map, per-instance change-tracking
 * accessors, original-data snapshots) plus building the query took ~2.5 ms of CPU for a
 * 20-account list, about ten times the query itself, and held the read path to a fifth of a
 * plain `pg` server (bench/, scenario 1). A list never writes what it reads, so it needs none of
 * that; it also reads only the columns GraphQL can show, not the worker's bookkeeping. Columns
 * and conversions come from the entity and GraphQL metadata, so a new field shows up here too.
 */
export async function listAccountSnapshots(em: EntityManager, memberId: string, statuses?: SocialConnectionStatus[]): Promise<AccountSnapshot[]> {
  const { columns, toSnapshot } = accountSnapshotMapping(em);
  const statusFilter = statuses ? `a."connection_status" in (${statuses.map(() => '?').join(', ')})` : 'a."connection_status" <> ?';
  const rows = await em.execute<Array<Record<string, unknown>>>(
    `select ${columns} from "social_account" as a
      where a."member_id" = ? and a."platform" = ? and ${statusFilter} order by a."connected_at" desc, a."id" asc`,
    [memberId, SocialPlatform.INSTAGRAM, ...(statuses ?? [SocialConnectionStatus.DISCONNECTED])],
  );
  return rows.map(toSnapshot);
}

/** How to select (as `a`) and convert account snapshots, for reads that join other tables. */
export function accountSnapshotMapping(em: EntityManager): SnapshotMapping {
  const meta = em.getMetadata().get(SocialAccount.name);
  const known = mappings.get(meta);
  if (known) return known;
  const platform = em.getPlatform();
  const exposed = new Set(getMetadataStorage().fields.filter((f) => f.target === SocialAccount).map((f) => f.name));
  const props: EntityProperty[] = meta.props.filter(
    (p) => exposed.has(p.name) && p.kind === ReferenceKind.SCALAR && !p.lazy && p.persist !== false && p.fieldNames?.length === 1,
  );
  // Columns come back under their property names, so pg builds each row in its final shape;
  // only values that need a JS type are converted, in place.
  const converted = props.filter((p) => p.runtimeType === 'Date' || p.customType);
  const mapping: SnapshotMapping = {
    columns: props.map((p) => `a."${p.fieldNames[0]}" as "${p.name}"`).join(', '),
    toSnapshot: (row) => {
      for (const prop of converted) {
        const value = row[prop.name];
        if (value == null) continue;
        // MikroORM has pg return timestamps as text; every column here is timestamptz, so the text carries its offset.
        if (prop.runtimeType === 'Date') row[prop.name] = new Date(value as string);
        // e.g. price: bigint arrives as a string, BigIntType('number') makes it a number.
        else row[prop.name] = prop.customType!.convertToJSValue(value, platform);
      }
      return row as unknown as AccountSnapshot;
    },
  };
  mappings.set(meta, mapping);
  return mapping;
}

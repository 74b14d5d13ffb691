import { ReferenceKind, type EntityProperty } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { getMetadataStorage } from 'type-graphql';
import type { AccountSnapshot } from '../entities/account-snapshot';
import { SocialAccount } from '../entities';

export interface SnapshotMapping {
  /** The select list for the `social_account` row aliased `a`, each column under its property name. */
  columns: string;
  /** Turns a row selected with `columns` into a snapshot, in place. */
  toSnapshot: (row: Record<string, unknown>) => AccountSnapshot;
}

/** Per ORM instance (tests run several in one process), built on first use. */
const mappings = new WeakMap<object, SnapshotMapping>();

/** How to select (as `a`) and convert account snapshots, for reads that join other tables. */
export function accountSnapshotMapping(em: EntityManager): SnapshotMapping {
  const meta = em.getMetadata().get(SocialAccount.name);
  const known = mappings.get(meta);
  if (known) return known;
  const platform = em.getPlatform();
  const exposed = new Set(
    getMetadataStorage()
      .fields.filter((f) => f.target === SocialAccount)
      .map((f) => f.name),
  );
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

import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * A hosted connect or reconnect link (services/connect-links, docs/platform-backend.md): only the
 * SHA-256 of its token is stored; `stateHash` is the OAuth state of the dialog it last started,
 * which is how our redirect finds the link again. Read and written with SQL in
 * repositories/connect-link.repository.ts; the entity keeps the schema and the migrations in step.
 */
@Entity({ tableName: 'connect_link' })
@Unique({ name: 'connect_link_token_hash_unique', properties: ['tokenHash'] })
@Index({ name: 'connect_link_state_idx', expression: 'create index "connect_link_state_idx" on "connect_link" ("state_hash") where "state_hash" is not null' })
@Index({ name: 'connect_link_expires_idx', properties: ['expiresAt'] })
export class ConnectLink {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'text' })
  tokenHash!: string;

  @Property({ type: 'text' })
  memberId!: string;

  @Property({ type: 'text', nullable: true })
  provider?: string | null;

  @Property({ type: 'uuid', nullable: true })
  accountId?: string | null;

  @Property({ type: 'text' })
  returnUrl!: string;

  @Property({ type: 'text' })
  createdBy!: string;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  completedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  stateHash?: string | null;
}

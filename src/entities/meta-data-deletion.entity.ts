import { OptionalProps, Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { LoginProvider } from '../domain/social-account';

export enum DataDeletionStatus {
  /** Accounts are DISCONNECTED and tokens gone; the rows go once subscribers had time to hear it. */
  RECEIVED = 'RECEIVED',
  COMPLETED = 'COMPLETED',
  /** The signed_request's user matched no account or grant: nothing was held, nothing deleted. */
  NO_DATA_FOUND = 'NO_DATA_FOUND',
}

/**
 * What is left of a Meta data deletion request: the audit row behind the status page Meta links
 * the user to. No personal data: the Meta user id only as a SHA-256 (to answer "was X deleted?"),
 * and our own row ids of what is still to delete, emptied on completion.
 */
@Entity({ tableName: 'meta_data_deletion' })
@Index({ name: 'meta_data_deletion_due_idx', properties: ['status', 'deleteAfter'] })
export class MetaDataDeletion {
  [OptionalProps]?:
    'status' | 'completedAt' | 'pendingAccountIds' | 'pendingGrantIds' | 'accountsDeleted' | 'grantsDeleted' | 'oauthStatesDeleted' | 'eventsDeleted';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text', unique: 'meta_data_deletion_code_unique' })
  confirmationCode!: string;

  @Enum({ items: () => LoginProvider })
  provider!: LoginProvider;

  /** Hex SHA-256 of the Meta user id from the signed_request. */
  @Property({ type: 'text' })
  metaUserHash!: string;

  @Enum({ items: () => DataDeletionStatus })
  status: DataDeletionStatus = DataDeletionStatus.RECEIVED;

  @Property({ type: 'timestamptz' })
  receivedAt!: Date;

  /** Not before this time do the rows go (the last DISCONNECTED event plus the grace period). */
  @Property({ type: 'timestamptz' })
  deleteAfter!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  completedAt?: Date | null;

  @Property({ type: 'text[]' })
  pendingAccountIds: string[] = [];

  @Property({ type: 'text[]' })
  pendingGrantIds: string[] = [];

  @Property({ type: 'integer' })
  accountsDeleted: number = 0;

  @Property({ type: 'integer' })
  grantsDeleted: number = 0;

  @Property({ type: 'integer' })
  oauthStatesDeleted: number = 0;

  @Property({ type: 'integer' })
  eventsDeleted: number = 0;
}

import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * Per member: the last status-event position handed out, and the highest one pruned by retention.
 * Written only in SQL (status-event-store.ts): the row lock taken by `last = last + 1` is what
 * puts a member's events in commit order.
 */
@Entity({ tableName: 'member_event_seq' })
export class MemberEventSequence {
  @PrimaryKey({ type: 'text' })
  memberId!: string;

  @Property({ type: new BigIntType('number') })
  last!: number;

  @Property({ type: new BigIntType('number'), default: 0 })
  prunedThrough: number = 0;
}

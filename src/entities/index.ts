export { ConnectionEvent } from './connection-event.entity';
export { DataDeletionStatus, MetaDataDeletion } from './meta-data-deletion.entity';
export { MemberErasure } from './member-erasure.entity';
export { MemberEventSequence } from './member-event-sequence.entity';
export { MemberRateLimit } from './member-rate-limit.entity';
export { MetaGrant } from './meta-grant.entity';
export { MetaRateLimitPause } from './meta-rate-limit-pause.entity';
export { OAuthState } from './oauth-state.entity';
export { SocialAccount } from './social-account.entity';
export { WebhookDelivery, WebhookDeliveryStatus } from './webhook-delivery.entity';
export { WebhookEvent } from './webhook-event.entity';

import { ConnectionEvent } from './connection-event.entity';
import { MetaDataDeletion } from './meta-data-deletion.entity';
import { MemberErasure } from './member-erasure.entity';
import { MemberEventSequence } from './member-event-sequence.entity';
import { MemberRateLimit } from './member-rate-limit.entity';
import { MetaGrant } from './meta-grant.entity';
import { MetaRateLimitPause } from './meta-rate-limit-pause.entity';
import { OAuthState } from './oauth-state.entity';
import { SocialAccount } from './social-account.entity';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEvent } from './webhook-event.entity';

export const ENTITIES = [
  SocialAccount,
  MetaGrant,
  OAuthState,
  ConnectionEvent,
  MetaDataDeletion,
  MetaRateLimitPause,
  WebhookEvent,
  WebhookDelivery,
  MemberRateLimit,
  MemberEventSequence,
  MemberErasure,
];

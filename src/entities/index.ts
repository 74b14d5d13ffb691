export { ConnectionEvent } from './connection-event.entity';
export { DataDeletionStatus, MetaDataDeletion } from './meta-data-deletion.entity';
export { MemberEventSequence } from './member-event-sequence.entity';
export { MetaGrant } from './meta-grant.entity';
export { OAuthState } from './oauth-state.entity';
export { SocialAccount } from './social-account.entity';

import { ConnectionEvent } from './connection-event.entity';
import { MetaDataDeletion } from './meta-data-deletion.entity';
import { MemberEventSequence } from './member-event-sequence.entity';
import { MetaGrant } from './meta-grant.entity';
import { OAuthState } from './oauth-state.entity';
import { SocialAccount } from './social-account.entity';

export const ENTITIES = [SocialAccount, MetaGrant, OAuthState, ConnectionEvent, MetaDataDeletion, MemberEventSequence];

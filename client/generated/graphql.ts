/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A date-time string at UTC, such as 2007-12-03T10:15:30Z, compliant with the `date-time` format outlined in section 5.6 of the RFC 3339 profile of the ISO 8601 standard for representation of dates and times using the Gregorian calendar.This scalar is serialized to a string in ISO 8601 format and parsed from a string in ISO 8601 format. */
  DateTimeISO: { input: string; output: string; }
  /** The `SafeInt` scalar type represents non-fractional signed whole numeric values that are considered safe as defined by the ECMAScript specification. */
  SafeInt: { input: number; output: number; }
};

/** A change of one account's connection status, pushed to subscribers. */
export type ConnectionStatusChange = {
  __typename?: 'ConnectionStatusChange';
  /** The account as it is now, loaded fresh for this subscriber. */
  account: SocialAccount;
  changedAt: Scalars['DateTimeISO']['output'];
  /** Null when the account was just created. */
  previousStatus?: Maybe<SocialConnectionStatus>;
  reason?: Maybe<Scalars['String']['output']>;
  status: SocialConnectionStatus;
};

export type InstagramAccountType =
  | 'BUSINESS'
  | 'CREATOR';

/** FACEBOOK: Facebook Login (account linked to a Page). INSTAGRAM: Business Login for Instagram. */
export type LoginProvider =
  | 'FACEBOOK'
  | 'INSTAGRAM';

export type Mutation = {
  __typename?: 'Mutation';
  /** Completes the dialog round trip; returns the accounts this grant linked. */
  connectInstagram: Array<SocialAccount>;
  /** Idempotent: deletes the stored tokens and marks the account DISCONNECTED. */
  disconnectSocialAccount: SocialAccount;
  /** Fetches fresh profile figures from Instagram and reprices the account. */
  syncSocialAccount: SocialAccount;
};


export type MutationConnectInstagramArgs = {
  code: Scalars['String']['input'];
  error?: InputMaybe<Scalars['String']['input']>;
  errorDescription?: InputMaybe<Scalars['String']['input']>;
  errorReason?: InputMaybe<Scalars['String']['input']>;
  state: Scalars['String']['input'];
};


export type MutationDisconnectSocialAccountArgs = {
  id: Scalars['ID']['input'];
};


export type MutationSyncSocialAccountArgs = {
  id: Scalars['ID']['input'];
};

/** Reach tier: S ≥ 1M followers, A ≥ 100k, B ≥ 10k, C ≥ 1k, N below (defaults). */
export type PriceTier =
  | 'A'
  | 'B'
  | 'C'
  | 'N'
  | 'S';

export type Query = {
  __typename?: 'Query';
  /** The Meta dialog URL to send the member to. redirectUri must be one of OAUTH_REDIRECT_URIS. */
  oauthUrl: Scalars['String']['output'];
  /** Null when missing or not the caller's. */
  socialAccount?: Maybe<SocialAccount>;
  /** The caller's accounts, newest first. Without statuses: all but DISCONNECTED. */
  socialAccounts: Array<SocialAccount>;
};


export type QueryOauthUrlArgs = {
  provider?: InputMaybe<LoginProvider>;
  redirectUri?: InputMaybe<Scalars['String']['input']>;
};


export type QuerySocialAccountArgs = {
  id: Scalars['ID']['input'];
};


export type QuerySocialAccountsArgs = {
  statuses?: InputMaybe<Array<SocialConnectionStatus>>;
};

/** An Instagram professional account linked by the calling member. */
export type SocialAccount = {
  __typename?: 'SocialAccount';
  accountType?: Maybe<InstagramAccountType>;
  biography?: Maybe<Scalars['String']['output']>;
  connectedAt: Scalars['DateTimeISO']['output'];
  connectionStatus: SocialConnectionStatus;
  currency: Scalars['String']['output'];
  followersCount: Scalars['Int']['output'];
  followingCount: Scalars['Int']['output'];
  id: Scalars['ID']['output'];
  lastSyncedAt?: Maybe<Scalars['DateTimeISO']['output']>;
  mediaCount: Scalars['Int']['output'];
  name?: Maybe<Scalars['String']['output']>;
  /** The member must reconnect before this time to keep the account working (token or data access expiry). */
  needsReconnectBy?: Maybe<Scalars['DateTimeISO']['output']>;
  platform: SocialPlatform;
  /** Instagram professional account id, kept as a string (ids exceed 2^53). */
  platformUserId: Scalars['String']['output'];
  /** Price in minor currency units. */
  price: Scalars['SafeInt']['output'];
  priceTier: PriceTier;
  profilePictureUrl?: Maybe<Scalars['String']['output']>;
  provider: LoginProvider;
  /** Why the account is not CONNECTED, or a warning about an upcoming expiry. */
  statusReason?: Maybe<Scalars['String']['output']>;
  /** When the token this account depends on expires, if it does. */
  tokenExpiresAt?: Maybe<Scalars['DateTimeISO']['output']>;
  updatedAt: Scalars['DateTimeISO']['output'];
  username: Scalars['String']['output'];
  website?: Maybe<Scalars['String']['output']>;
};

export type SocialConnectionStatus =
  /** Tokens are valid and the account syncs. */
  | 'CONNECTED'
  /** Unlinked by the member, or the app was removed on Meta. Tokens are deleted. */
  | 'DISCONNECTED'
  /** A permission is missing or the account keeps failing; statusReason says why. */
  | 'ERROR'
  /** Meta no longer accepts the token (expired, password changed, logged out...). Reconnect to fix. */
  | 'EXPIRED';

export type SocialPlatform =
  | 'INSTAGRAM';

export type Subscription = {
  __typename?: 'Subscription';
  /** Status changes of all the caller's accounts, or of one (accountId). */
  connectionStatusChanged: ConnectionStatusChange;
};


export type SubscriptionConnectionStatusChangedArgs = {
  accountId?: InputMaybe<Scalars['ID']['input']>;
};

export type InstagramAccountType =
  | 'BUSINESS'
  | 'CREATOR';

/** FACEBOOK: Facebook Login (account linked to a Page). INSTAGRAM: Business Login for Instagram. */
export type LoginProvider =
  | 'FACEBOOK'
  | 'INSTAGRAM';

/** Reach tier: S ≥ 1M followers, A ≥ 100k, B ≥ 10k, C ≥ 1k, N below (defaults). */
export type PriceTier =
  | 'A'
  | 'B'
  | 'C'
  | 'N'
  | 'S';

export type SocialConnectionStatus =
  /** Tokens are valid and the account syncs. */
  | 'CONNECTED'
  /** Unlinked by the member, or the app was removed on Meta. Tokens are deleted. */
  | 'DISCONNECTED'
  /** A permission is missing or the account keeps failing; statusReason says why. */
  | 'ERROR'
  /** Meta no longer accepts the token (expired, password changed, logged out...). Reconnect to fix. */
  | 'EXPIRED';

export type SocialPlatform =
  | 'INSTAGRAM';

export type SocialAccountFieldsFragment = { id: string, platform: SocialPlatform, provider: LoginProvider, platformUserId: string, username: string, name: string | null, profilePictureUrl: string | null, biography: string | null, website: string | null, followersCount: number, followingCount: number, mediaCount: number, accountType: InstagramAccountType | null, connectionStatus: SocialConnectionStatus, statusReason: string | null, priceTier: PriceTier, price: number, currency: string, tokenExpiresAt: string | null, needsReconnectBy: string | null, lastSyncedAt: string | null, connectedAt: string, updatedAt: string };

export type SocialAccountsQueryVariables = Exact<{
  statuses?: Array<SocialConnectionStatus> | SocialConnectionStatus | null | undefined;
}>;


export type SocialAccountsQuery = { socialAccounts: Array<{ id: string, platform: SocialPlatform, provider: LoginProvider, platformUserId: string, username: string, name: string | null, profilePictureUrl: string | null, biography: string | null, website: string | null, followersCount: number, followingCount: number, mediaCount: number, accountType: InstagramAccountType | null, connectionStatus: SocialConnectionStatus, statusReason: string | null, priceTier: PriceTier, price: number, currency: string, tokenExpiresAt: string | null, needsReconnectBy: string | null, lastSyncedAt: string | null, connectedAt: string, updatedAt: string }> };

export type SocialAccountQueryVariables = Exact<{
  id: string | number;
}>;


export type SocialAccountQuery = { socialAccount: { id: string, platform: SocialPlatform, provider: LoginProvider, platformUserId: string, username: string, name: string | null, profilePictureUrl: string | null, biography: string | null, website: string | null, followersCount: number, followingCount: number, mediaCount: number, accountType: InstagramAccountType | null, connectionStatus: SocialConnectionStatus, statusReason: string | null, priceTier: PriceTier, price: number, currency: string, tokenExpiresAt: string | null, needsReconnectBy: string | null, lastSyncedAt: string | null, connectedAt: string, updatedAt: string } | null };

export type SyncSocialAccountMutationVariables = Exact<{
  id: string | number;
}>;


export type SyncSocialAccountMutation = { syncSocialAccount: { id: string, platform: SocialPlatform, provider: LoginProvider, platformUserId: string, username: string, name: string | null, profilePictureUrl: string | null, biography: string | null, website: string | null, followersCount: number, followingCount: number, mediaCount: number, accountType: InstagramAccountType | null, connectionStatus: SocialConnectionStatus, statusReason: string | null, priceTier: PriceTier, price: number, currency: string, tokenExpiresAt: string | null, needsReconnectBy: string | null, lastSyncedAt: string | null, connectedAt: string, updatedAt: string } };

export type DisconnectSocialAccountMutationVariables = Exact<{
  id: string | number;
}>;


export type DisconnectSocialAccountMutation = { disconnectSocialAccount: { id: string, platform: SocialPlatform, provider: LoginProvider, platformUserId: string, username: string, name: string | null, profilePictureUrl: string | null, biography: string | null, website: string | null, followersCount: number, followingCount: number, mediaCount: number, accountType: InstagramAccountType | null, connectionStatus: SocialConnectionStatus, statusReason: string | null, priceTier: PriceTier, price: number, currency: string, tokenExpiresAt: string | null, needsReconnectBy: string | null, lastSyncedAt: string | null, connectedAt: string, updatedAt: string } };

export type OAuthUrlQueryVariables = Exact<{
  provider?: LoginProvider | null | undefined;
  redirectUri?: string | null | undefined;
}>;


export type OAuthUrlQuery = { oauthUrl: string };

export type ConnectInstagramMutationVariables = Exact<{
  code: string;
  state: string;
  error?: string | null | undefined;
  errorReason?: string | null | undefined;
  errorDescription?: string | null | undefined;
}>;


export type ConnectInstagramMutation = { connectInstagram: Array<{ id: string, platform: SocialPlatform, provider: LoginProvider, platformUserId: string, username: string, name: string | null, profilePictureUrl: string | null, biography: string | null, website: string | null, followersCount: number, followingCount: number, mediaCount: number, accountType: InstagramAccountType | null, connectionStatus: SocialConnectionStatus, statusReason: string | null, priceTier: PriceTier, price: number, currency: string, tokenExpiresAt: string | null, needsReconnectBy: string | null, lastSyncedAt: string | null, connectedAt: string, updatedAt: string }> };

export type ConnectionStatusChangedSubscriptionVariables = Exact<{
  accountId?: string | number | null | undefined;
}>;


export type ConnectionStatusChangedSubscription = { connectionStatusChanged: { previousStatus: SocialConnectionStatus | null, status: SocialConnectionStatus, reason: string | null, changedAt: string, account: { id: string, platform: SocialPlatform, provider: LoginProvider, platformUserId: string, username: string, name: string | null, profilePictureUrl: string | null, biography: string | null, website: string | null, followersCount: number, followingCount: number, mediaCount: number, accountType: InstagramAccountType | null, connectionStatus: SocialConnectionStatus, statusReason: string | null, priceTier: PriceTier, price: number, currency: string, tokenExpiresAt: string | null, needsReconnectBy: string | null, lastSyncedAt: string | null, connectedAt: string, updatedAt: string } } };

export const SocialAccountFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SocialAccountFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SocialAccount"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"platform"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"platformUserId"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"profilePictureUrl"}},{"kind":"Field","name":{"kind":"Name","value":"biography"}},{"kind":"Field","name":{"kind":"Name","value":"website"}},{"kind":"Field","name":{"kind":"Name","value":"followersCount"}},{"kind":"Field","name":{"kind":"Name","value":"followingCount"}},{"kind":"Field","name":{"kind":"Name","value":"mediaCount"}},{"kind":"Field","name":{"kind":"Name","value":"accountType"}},{"kind":"Field","name":{"kind":"Name","value":"connectionStatus"}},{"kind":"Field","name":{"kind":"Name","value":"statusReason"}},{"kind":"Field","name":{"kind":"Name","value":"priceTier"}},{"kind":"Field","name":{"kind":"Name","value":"price"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"tokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"needsReconnectBy"}},{"kind":"Field","name":{"kind":"Name","value":"lastSyncedAt"}},{"kind":"Field","name":{"kind":"Name","value":"connectedAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<SocialAccountFieldsFragment, unknown>;
export const SocialAccountsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SocialAccounts"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"statuses"}},"type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SocialConnectionStatus"}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"socialAccounts"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"statuses"},"value":{"kind":"Variable","name":{"kind":"Name","value":"statuses"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"SocialAccountFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SocialAccountFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SocialAccount"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"platform"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"platformUserId"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"profilePictureUrl"}},{"kind":"Field","name":{"kind":"Name","value":"biography"}},{"kind":"Field","name":{"kind":"Name","value":"website"}},{"kind":"Field","name":{"kind":"Name","value":"followersCount"}},{"kind":"Field","name":{"kind":"Name","value":"followingCount"}},{"kind":"Field","name":{"kind":"Name","value":"mediaCount"}},{"kind":"Field","name":{"kind":"Name","value":"accountType"}},{"kind":"Field","name":{"kind":"Name","value":"connectionStatus"}},{"kind":"Field","name":{"kind":"Name","value":"statusReason"}},{"kind":"Field","name":{"kind":"Name","value":"priceTier"}},{"kind":"Field","name":{"kind":"Name","value":"price"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"tokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"needsReconnectBy"}},{"kind":"Field","name":{"kind":"Name","value":"lastSyncedAt"}},{"kind":"Field","name":{"kind":"Name","value":"connectedAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<SocialAccountsQuery, SocialAccountsQueryVariables>;
export const SocialAccountDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SocialAccount"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"socialAccount"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"SocialAccountFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SocialAccountFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SocialAccount"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"platform"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"platformUserId"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"profilePictureUrl"}},{"kind":"Field","name":{"kind":"Name","value":"biography"}},{"kind":"Field","name":{"kind":"Name","value":"website"}},{"kind":"Field","name":{"kind":"Name","value":"followersCount"}},{"kind":"Field","name":{"kind":"Name","value":"followingCount"}},{"kind":"Field","name":{"kind":"Name","value":"mediaCount"}},{"kind":"Field","name":{"kind":"Name","value":"accountType"}},{"kind":"Field","name":{"kind":"Name","value":"connectionStatus"}},{"kind":"Field","name":{"kind":"Name","value":"statusReason"}},{"kind":"Field","name":{"kind":"Name","value":"priceTier"}},{"kind":"Field","name":{"kind":"Name","value":"price"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"tokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"needsReconnectBy"}},{"kind":"Field","name":{"kind":"Name","value":"lastSyncedAt"}},{"kind":"Field","name":{"kind":"Name","value":"connectedAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<SocialAccountQuery, SocialAccountQueryVariables>;
export const SyncSocialAccountDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SyncSocialAccount"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"syncSocialAccount"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"SocialAccountFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SocialAccountFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SocialAccount"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"platform"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"platformUserId"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"profilePictureUrl"}},{"kind":"Field","name":{"kind":"Name","value":"biography"}},{"kind":"Field","name":{"kind":"Name","value":"website"}},{"kind":"Field","name":{"kind":"Name","value":"followersCount"}},{"kind":"Field","name":{"kind":"Name","value":"followingCount"}},{"kind":"Field","name":{"kind":"Name","value":"mediaCount"}},{"kind":"Field","name":{"kind":"Name","value":"accountType"}},{"kind":"Field","name":{"kind":"Name","value":"connectionStatus"}},{"kind":"Field","name":{"kind":"Name","value":"statusReason"}},{"kind":"Field","name":{"kind":"Name","value":"priceTier"}},{"kind":"Field","name":{"kind":"Name","value":"price"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"tokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"needsReconnectBy"}},{"kind":"Field","name":{"kind":"Name","value":"lastSyncedAt"}},{"kind":"Field","name":{"kind":"Name","value":"connectedAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<SyncSocialAccountMutation, SyncSocialAccountMutationVariables>;
export const DisconnectSocialAccountDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DisconnectSocialAccount"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"disconnectSocialAccount"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"SocialAccountFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SocialAccountFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SocialAccount"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"platform"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"platformUserId"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"profilePictureUrl"}},{"kind":"Field","name":{"kind":"Name","value":"biography"}},{"kind":"Field","name":{"kind":"Name","value":"website"}},{"kind":"Field","name":{"kind":"Name","value":"followersCount"}},{"kind":"Field","name":{"kind":"Name","value":"followingCount"}},{"kind":"Field","name":{"kind":"Name","value":"mediaCount"}},{"kind":"Field","name":{"kind":"Name","value":"accountType"}},{"kind":"Field","name":{"kind":"Name","value":"connectionStatus"}},{"kind":"Field","name":{"kind":"Name","value":"statusReason"}},{"kind":"Field","name":{"kind":"Name","value":"priceTier"}},{"kind":"Field","name":{"kind":"Name","value":"price"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"tokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"needsReconnectBy"}},{"kind":"Field","name":{"kind":"Name","value":"lastSyncedAt"}},{"kind":"Field","name":{"kind":"Name","value":"connectedAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<DisconnectSocialAccountMutation, DisconnectSocialAccountMutationVariables>;
export const OAuthUrlDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OAuthUrl"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"provider"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"LoginProvider"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"redirectUri"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"oauthUrl"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"provider"},"value":{"kind":"Variable","name":{"kind":"Name","value":"provider"}}},{"kind":"Argument","name":{"kind":"Name","value":"redirectUri"},"value":{"kind":"Variable","name":{"kind":"Name","value":"redirectUri"}}}]}]}}]} as unknown as DocumentNode<OAuthUrlQuery, OAuthUrlQueryVariables>;
export const ConnectInstagramDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConnectInstagram"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"code"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"state"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"error"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"errorReason"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"errorDescription"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"connectInstagram"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"code"},"value":{"kind":"Variable","name":{"kind":"Name","value":"code"}}},{"kind":"Argument","name":{"kind":"Name","value":"state"},"value":{"kind":"Variable","name":{"kind":"Name","value":"state"}}},{"kind":"Argument","name":{"kind":"Name","value":"error"},"value":{"kind":"Variable","name":{"kind":"Name","value":"error"}}},{"kind":"Argument","name":{"kind":"Name","value":"errorReason"},"value":{"kind":"Variable","name":{"kind":"Name","value":"errorReason"}}},{"kind":"Argument","name":{"kind":"Name","value":"errorDescription"},"value":{"kind":"Variable","name":{"kind":"Name","value":"errorDescription"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"SocialAccountFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SocialAccountFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SocialAccount"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"platform"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"platformUserId"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"profilePictureUrl"}},{"kind":"Field","name":{"kind":"Name","value":"biography"}},{"kind":"Field","name":{"kind":"Name","value":"website"}},{"kind":"Field","name":{"kind":"Name","value":"followersCount"}},{"kind":"Field","name":{"kind":"Name","value":"followingCount"}},{"kind":"Field","name":{"kind":"Name","value":"mediaCount"}},{"kind":"Field","name":{"kind":"Name","value":"accountType"}},{"kind":"Field","name":{"kind":"Name","value":"connectionStatus"}},{"kind":"Field","name":{"kind":"Name","value":"statusReason"}},{"kind":"Field","name":{"kind":"Name","value":"priceTier"}},{"kind":"Field","name":{"kind":"Name","value":"price"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"tokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"needsReconnectBy"}},{"kind":"Field","name":{"kind":"Name","value":"lastSyncedAt"}},{"kind":"Field","name":{"kind":"Name","value":"connectedAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<ConnectInstagramMutation, ConnectInstagramMutationVariables>;
export const ConnectionStatusChangedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ConnectionStatusChanged"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"accountId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"connectionStatusChanged"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"accountId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"accountId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"previousStatus"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"changedAt"}},{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"SocialAccountFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"SocialAccountFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SocialAccount"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"platform"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"platformUserId"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"profilePictureUrl"}},{"kind":"Field","name":{"kind":"Name","value":"biography"}},{"kind":"Field","name":{"kind":"Name","value":"website"}},{"kind":"Field","name":{"kind":"Name","value":"followersCount"}},{"kind":"Field","name":{"kind":"Name","value":"followingCount"}},{"kind":"Field","name":{"kind":"Name","value":"mediaCount"}},{"kind":"Field","name":{"kind":"Name","value":"accountType"}},{"kind":"Field","name":{"kind":"Name","value":"connectionStatus"}},{"kind":"Field","name":{"kind":"Name","value":"statusReason"}},{"kind":"Field","name":{"kind":"Name","value":"priceTier"}},{"kind":"Field","name":{"kind":"Name","value":"price"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"tokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"needsReconnectBy"}},{"kind":"Field","name":{"kind":"Name","value":"lastSyncedAt"}},{"kind":"Field","name":{"kind":"Name","value":"connectedAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]} as unknown as DocumentNode<ConnectionStatusChangedSubscription, ConnectionStatusChangedSubscriptionVariables>;
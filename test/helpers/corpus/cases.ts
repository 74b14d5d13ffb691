import fc from 'fast-check';
import { after, argument, condition, first, id, json, omitted, provider, redirectUri, statuses } from './arguments';
import type { ArgumentValue, Case, Directive, Field, Operation, Selection } from './types';

/** Selections, operations and whole cases over schema.graphql, composed from the argument arbitraries. */
/** Most selections have none; some have @include, @skip or both (each at most once, as validation requires). */
const directives: fc.Arbitrary<Directive[]> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Directive[]>([]) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.option(condition, { nil: undefined }), fc.option(condition, { nil: undefined }))
      .map(([include, skip]) => [
        ...(include ? [{ name: 'include' as const, condition: include }] : []),
        ...(skip ? [{ name: 'skip' as const, condition: skip }] : []),
      ]),
  },
);

/**
 * One field in four has an alias, from few names shared between fields, so fields merge (same
 * field and arguments under one name). Names that would conflict are made unique when rendering:
 * such documents only exercise validation, which runs before either executor.
 */
const alias = fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('a', 'b', 'id', 'username', 'status') });

/** Each argument present or not; present ones in the order given. */
function args(available: Record<string, fc.Arbitrary<ArgumentValue>>): fc.Arbitrary<Field['args']> {
  const entries = Object.entries(available).map(([name, value]) =>
    fc.option(
      value.map((v) => ({ name, value: v })),
      { nil: undefined },
    ),
  );
  return fc.tuple(...entries).map((present) => present.filter((a): a is Field['args'][number] => a !== undefined));
}

function leaf(names: string[]): fc.Arbitrary<Field> {
  return fc.record({ field: fc.constantFrom(...names), alias, args: fc.constant<Field['args']>([]), directives });
}

/** A selection set of `fields` on `type`, with inline fragments and named fragment spreads (one level). */
function selectionSet(fields: fc.Arbitrary<Field>, type: string): fc.Arbitrary<Selection[]> {
  const plain = fc.array(fields, { minLength: 1, maxLength: 3 });
  const fragment = fc.record({
    fragmentOn: fc.constant(type),
    inline: fc.boolean(),
    directives,
    selection: plain,
  });
  return fc.array(fc.oneof({ weight: 5, arbitrary: fields }, { weight: 2, arbitrary: fragment }), { minLength: 1, maxLength: 4 });
}

const ACCOUNT_SCALARS = [
  'id',
  'username',
  'connectionStatus',
  'priceTier',
  'price',
  'followersCount',
  'biography',
  'name',
  'website',
  'accountType',
  'connectedAt',
  'tokenExpiresAt',
  'needsReconnectBy',
  'statusReason',
  'provider',
  'platform',
  'platformUserId',
  'currency',
  'lastSyncedAt',
  '__typename',
];

/** A SocialAccount inside a status change: scalars only (keeps depth bounded). */
const innerAccountField = leaf(ACCOUNT_SCALARS);

const changeField: fc.Arbitrary<Field> = fc.oneof(
  { weight: 4, arbitrary: leaf(['status', 'previousStatus', 'reason', 'changedAt', 'cursor', '__typename']) },
  {
    weight: 1,
    arbitrary: fc.record({
      field: fc.constant('account'),
      alias,
      args: fc.constant<Field['args']>([]),
      directives,
      selection: selectionSet(innerAccountField, 'SocialAccount'),
    }),
  },
);

const accountField: fc.Arbitrary<Field> = fc.oneof(
  { weight: 150, arbitrary: leaf(ACCOUNT_SCALARS) },
  { weight: 1, arbitrary: leaf(['nope']) }, // a field the schema does not have
  {
    weight: 6,
    arbitrary: fc.record({
      field: fc.constant('statusHistory'),
      alias,
      args: args({ first, after }),
      directives,
      selection: selectionSet(changeField, 'ConnectionStatusChange'),
    }),
  },
);

const accountSelection = selectionSet(accountField, 'SocialAccount');

const queryField: fc.Arbitrary<Field> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ field: fc.constant('socialAccounts'), alias, args: args({ statuses }), directives, selection: accountSelection }) },
  {
    weight: 4,
    arbitrary: fc.record({
      field: fc.constant('socialAccount'),
      alias,
      args: id.map((value) => [{ name: 'id', value }]),
      directives,
      selection: accountSelection,
    }),
  },
  { weight: 1, arbitrary: fc.record({ field: fc.constant('oauthUrl'), alias, args: args({ provider, redirectUri }), directives }) },
  { weight: 1, arbitrary: leaf(['__typename']) },
);

/** Mutations that change nothing (missing, foreign or malformed ids), so rounds and executors see the same data. */
const SAFE_MUTATION_IDS = argument(
  { valid: ['"@missing"', '"@other"', '"x"'], invalid: ['null'] },
  { valid: ['ID!'], invalid: ['ID'] },
  { valid: [json('@missing'), json('@other')], invalid: [json(null), omitted] },
);
const mutationField: fc.Arbitrary<Field> = fc.record({
  field: fc.constantFrom('syncSocialAccount', 'disconnectSocialAccount'),
  alias,
  args: SAFE_MUTATION_IDS.map((value) => [{ name: 'id', value }]),
  directives: fc.constant([]),
  selection: fc.constant([{ field: 'id', args: [], directives: [] }] as Selection[]),
});

const subscriptionField: fc.Arbitrary<Field> = fc.constant({
  field: 'connectionStatusChanged',
  args: [],
  directives: [],
  selection: [{ field: 'status', args: [], directives: [] }],
});

/** True one time in four. */
const sometimes = fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });
/** True one time in sixteen. */
const rarely = fc.oneof({ weight: 15, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });

export const operationArb: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 20,
    arbitrary: fc.record({
      type: fc.constant('query' as const),
      anonymous: sometimes,
      selection: selectionSet(queryField, 'Query'),
      withOtherOperation: rarely,
      sendOperationName: fc.boolean(),
      operationNameMistake: rarely,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('mutation' as const),
      anonymous: fc.boolean(),
      selection: fc.array(mutationField, { minLength: 1, maxLength: 1 }),
      withOtherOperation: fc.constant(false),
      sendOperationName: fc.boolean(),
      operationNameMistake: rarely,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('subscription' as const),
      anonymous: fc.boolean(),
      selection: subscriptionField.map((f) => [f]),
      withOtherOperation: fc.constant(false),
      sendOperationName: fc.boolean(),
      operationNameMistake: rarely,
    }),
  },
);

export const caseArb: fc.Arbitrary<Case> = fc.record({
  operation: operationArb,
  member: fc.oneof(
    { weight: 6, arbitrary: fc.constant('A' as const) },
    { weight: 1, arbitrary: fc.constant('B' as const) },
    { weight: 1, arbitrary: fc.constant(null) },
  ),
  rounds: fc.constantFrom(1 as const, 2 as const),
});

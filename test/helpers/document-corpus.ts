import fc from 'fast-check';

/**
 * Generated GraphQL requests against schema.graphql, for the executor differential test: one
 * arbitrary per construct (argument values, variables, directives, fields, fragments, operations),
 * composed into whole requests. A generated case is a plain structure; `renderCase` turns it into
 * the query text and the variables of each round.
 *
 * Ids and other values only known once the fixture is seeded are written as placeholders
 * (`@own`, `@other`, ...) and replaced when rendering, so a failing case prints readably.
 */

/** Values the fixture provides at render time. */
export interface Placeholders {
  /** An account of the calling member (member A). */
  own: string;
  /** An account of another member (member B). */
  other: string;
  /** A well-formed id that matches nothing. */
  missing: string;
  /** A real statusHistory cursor of `own`. */
  cursor: string;
  /** A redirect URI the app accepts. */
  redirect: string;
}

const PLACEHOLDER = /@(own|other|missing|cursor|redirect)\b/g;

/** A variable's value in one round: a JSON value (placeholders allowed in strings), or absent from `variables`. */
export type VariableValue = { omitted: true } | { json: unknown };

/** An argument (or directive condition): a literal written into the document, or a variable declared on the operation. */
export type ArgumentValue =
  | { literal: string }
  | {
      /** The declared type, with its default if any, e.g. `Int = 5` or `[SocialConnectionStatus!]!`. */
      variable: string;
      /** One value per round (the same document is sent with each). */
      rounds: [VariableValue, VariableValue];
    };

export interface Directive {
  name: 'include' | 'skip';
  condition: ArgumentValue;
}

export interface Field {
  field: string;
  alias?: string;
  args: Array<{ name: string; value: ArgumentValue }>;
  directives: Directive[];
  selection?: Selection[];
}

/** `... on Type { }` (inline: true) or a named fragment spread, its definition added to the document. */
export interface Fragment {
  fragmentOn: string;
  inline: boolean;
  directives: Directive[];
  selection: Selection[];
}

export type Selection = Field | Fragment;

export interface Operation {
  type: 'query' | 'mutation' | 'subscription';
  /** No operation name (`query($v1: ...) { }`, or the `{ }` shorthand for a query without variables). */
  anonymous: boolean;
  selection: Selection[];
  /** Adds `query Other { __typename }` to the document, so the request must name its operation. */
  withOtherOperation: boolean;
  /** Whether a named operation's request carries operationName (a document with two operations needs it). */
  sendOperationName: boolean;
  /** Rarely: the wrong operationName (none with two operations, `Main` for an anonymous one, an unknown one). */
  operationNameMistake: boolean;
}

export interface Case {
  operation: Operation;
  /** Who sends it: member A (owns `@own`), member B (owns `@other`), or nobody (no token). */
  member: 'A' | 'B' | null;
  /** How many variable sets the document is sent with (variables carry one value per round). */
  rounds: 1 | 2;
}

// ---------------------------------------------------------------------------------------------
// Argument values

const omitted: VariableValue = { omitted: true };
const json = (value: unknown): VariableValue => ({ json: value });

/**
 * An argument: mostly a valid literal or a variable of a type usable there; now and then
 * (1 in 50) a literal or a variable type that validation refuses. Variable values: mostly ones
 * that coerce (null and omitted included), 1 in 10 one that does not (graphql-js answers those on
 * both instances, so more would only slow the corpus down).
 */
function argument(
  literals: { valid: string[]; invalid: string[] },
  types: { valid: string[]; invalid: string[] },
  values: { valid: VariableValue[]; invalid: VariableValue[] },
): fc.Arbitrary<ArgumentValue> {
  const value = fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...values.valid) }, { weight: 1, arbitrary: fc.constantFrom(...values.invalid) });
  const variable = (declared: string[]) => fc.record({ variable: fc.constantFrom(...declared), rounds: fc.tuple(value, value) });
  const literal = (texts: string[]) => fc.constantFrom(...texts).map((text): ArgumentValue => ({ literal: text }));
  return fc.oneof(
    { weight: 50, arbitrary: literal(literals.valid) },
    { weight: 1, arbitrary: literal(literals.invalid) },
    { weight: 50, arbitrary: variable(types.valid) },
    { weight: 1, arbitrary: variable(types.invalid) },
  );
}

/** `@include(if:)`/`@skip(if:)`: literal booleans, and variables nullable, non-null, defaulted, sent null, omitted or mistyped. */
const condition = argument(
  { valid: ['true', 'false'], invalid: ['null', '"yes"'] },
  { valid: ['Boolean!', 'Boolean = true', 'Boolean = false', 'Boolean! = true'], invalid: ['Boolean', 'String!'] },
  { valid: [json(true), json(false), json(null), omitted], invalid: [json('yes'), json(1)] },
);

/** socialAccounts(statuses: [SocialConnectionStatus!]): lists, a single value where a list is expected, invalid enums. */
const statuses = argument(
  { valid: ['[CONNECTED, EXPIRED]', 'CONNECTED', 'DISCONNECTED', '[]', 'null', '[ERROR, DISCONNECTED]'], invalid: ['NOPE', '"CONNECTED"', '[null]'] },
  {
    valid: ['[SocialConnectionStatus!]', '[SocialConnectionStatus!]!', '[SocialConnectionStatus!] = [CONNECTED]', '[SocialConnectionStatus!] = DISCONNECTED'],
    invalid: ['[SocialConnectionStatus]', 'SocialConnectionStatus'],
  },
  {
    valid: [json('CONNECTED'), json('DISCONNECTED'), json(['CONNECTED', 'DISCONNECTED']), json(['DISCONNECTED']), json([]), json(null), omitted],
    invalid: [json(['NOPE']), json('NOPE'), json([null]), json(7)],
  },
);

/** socialAccount(id: ID!) and the mutations' ids: own, another member's, missing, malformed, numeric, null. */
const id = argument(
  { valid: ['"@own"', '"@own"', '"@other"', '"@missing"', "\"1' or '1'='1\"", '12'], invalid: ['null', 'true'] },
  { valid: ['ID!', 'ID = "@own"', 'ID! = "@missing"'], invalid: ['ID', 'String!'] },
  { valid: [json('@own'), json('@own'), json('@other'), json('@missing'), json("1' or '1'='1"), json(12), json(null), omitted], invalid: [json(true)] },
);

/** statusHistory(first: Int! = 20): in and out of range, explicit null for a defaulted non-null argument, wrong types. */
const first = argument(
  { valid: ['1', '2', '0', '101', '-1'], invalid: ['null', '"3"', '1.5'] },
  { valid: ['Int', 'Int!', 'Int = 2', 'Int! = 3', 'Int = null'], invalid: ['Float', 'String'] },
  { valid: [json(1), json(2), json(3), json(0), json(101), json(null), omitted], invalid: [json('3'), json(2.5), json(2 ** 31)] },
);

/** statusHistory(after: String): a real cursor, garbage, null. */
const after = argument(
  { valid: ['null', '"@cursor"', '"bogus"'], invalid: ['7'] },
  { valid: ['String', 'String = "@cursor"', 'String!'], invalid: ['Int'] },
  { valid: [json('@cursor'), json('bogus'), json(null), omitted], invalid: [json(7)] },
);

/** oauthUrl(provider: LoginProvider = FACEBOOK): valid and invalid enums, explicit null for a defaulted argument. */
const provider = argument(
  { valid: ['FACEBOOK', 'INSTAGRAM', 'null'], invalid: ['NOPE', '"FACEBOOK"'] },
  { valid: ['LoginProvider', 'LoginProvider!', 'LoginProvider = INSTAGRAM'], invalid: ['SocialPlatform'] },
  { valid: [json('FACEBOOK'), json('INSTAGRAM'), json(null), omitted], invalid: [json('NOPE')] },
);

/** oauthUrl(redirectUri: String): accepted, refused, null. */
const redirectUri = argument(
  { valid: ['"@redirect"', '"https://evil.example/cb"', 'null'], invalid: ['1'] },
  { valid: ['String', 'String = "@redirect"'], invalid: ['ID'] },
  { valid: [json('@redirect'), json('https://evil.example/cb'), json(null), omitted], invalid: [json(false)] },
);

// ---------------------------------------------------------------------------------------------
// Selections

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

// ---------------------------------------------------------------------------------------------
// Rendering

export interface RenderedCase {
  query: string;
  operationName?: string;
  /** One variables object per round. */
  variables: Array<Record<string, unknown>>;
}

/** `text` with every placeholder replaced by its value. */
export function fillPlaceholders(text: string, values: Placeholders): string {
  return text.replace(PLACEHOLDER, (_m, key: keyof Placeholders) => values[key]);
}

export function renderCase(c: Case, values: Placeholders): RenderedCase {
  const fill = (text: string) => fillPlaceholders(text, values);
  const fillJson = (value: unknown): unknown => (typeof value === 'string' ? fill(value) : Array.isArray(value) ? value.map(fillJson) : value);

  const definitions: string[] = [];
  const variables: Array<Record<string, unknown>> = Array.from({ length: c.rounds }, () => ({}));
  const fragments: string[] = [];
  /** Response name → the field and arguments it stands for; a different one under a used name gets a fresh alias. */
  const responseNames = new Map<string, string>();
  const responseName = (wanted: string, signature: string): string => {
    let name = wanted;
    for (let k = 2; responseNames.has(name) && responseNames.get(name) !== signature; k++) name = `${wanted}_${k}`;
    responseNames.set(name, signature);
    return name;
  };

  const argumentText = (value: ArgumentValue): string => {
    if ('literal' in value) return fill(value.literal);
    const name = `v${definitions.length + 1}`;
    const [type, defaultValue] = value.variable.split(' = ');
    definitions.push(`$${name}: ${type}${defaultValue === undefined ? '' : ` = ${fill(defaultValue)}`}`);
    for (let round = 0; round < c.rounds; round++) {
      const sent = value.rounds[round];
      if ('json' in sent) variables[round][name] = fillJson(sent.json);
    }
    return `$${name}`;
  };
  const directiveText = (ds: Directive[]) => ds.map((d) => ` @${d.name}(if: ${argumentText(d.condition)})`).join('');
  const selectionText = (selection: Selection[]): string => `{ ${selection.map(selectionItem).join(' ')} }`;
  const selectionItem = (s: Selection): string => {
    if ('fragmentOn' in s) {
      if (s.inline) return `... on ${s.fragmentOn}${directiveText(s.directives)} ${selectionText(s.selection)}`;
      const name = `F${fragments.length + 1}`;
      fragments.push(''); // reserve the name before rendering the body (which may add variables)
      const spread = `...${name}${directiveText(s.directives)}`;
      fragments[Number(name.slice(1)) - 1] = `fragment ${name} on ${s.fragmentOn} ${selectionText(s.selection)}`;
      return spread;
    }
    const argsText = s.args.length ? `(${s.args.map((a) => `${a.name}: ${argumentText(a.value)}`).join(', ')})` : '';
    const name = responseName(s.alias ?? s.field, `${s.field}${argsText}`);
    const sub = s.selection ? ` ${selectionText(s.selection)}` : '';
    return `${name === s.field ? '' : `${name}: `}${s.field}${argsText}${directiveText(s.directives)}${sub}`;
  };

  const body = selectionText(c.operation.selection);
  const { type, anonymous } = c.operation;
  const head = `${type}${anonymous ? '' : ' Main'}${definitions.length ? `(${definitions.join(', ')})` : ''}`;
  const shorthand = anonymous && type === 'query' && !definitions.length;
  const documents = [shorthand ? body : `${head} ${body}`, ...fragments];
  if (c.operation.withOtherOperation) documents.push('query Other { __typename }');
  return { query: documents.join('\n'), operationName: operationName(c.operation), variables };
}

function operationName({ anonymous, withOtherOperation, sendOperationName, operationNameMistake }: Operation): string | undefined {
  if (operationNameMistake) return anonymous ? 'Main' : withOtherOperation ? undefined : 'Nope';
  return anonymous ? undefined : withOtherOperation || sendOperationName ? 'Main' : undefined;
}

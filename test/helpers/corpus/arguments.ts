import fc from 'fast-check';
import type { ArgumentValue, VariableValue } from './types';

/** Argument values of schema.graphql's arguments and directives, as literals or variables. */
export const omitted: VariableValue = { omitted: true };
export const json = (value: unknown): VariableValue => ({ json: value });

/**
 * An argument: mostly a valid literal or a variable of a type usable there; now and then
 * (1 in 50) a literal or a variable type that validation refuses. Variable values: mostly ones
 * that coerce (null and omitted included), 1 in 10 one that does not (graphql-js answers those on
 * both instances, so more would only slow the corpus down).
 */
export function argument(
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
export const condition = argument(
  { valid: ['true', 'false'], invalid: ['null', '"yes"'] },
  { valid: ['Boolean!', 'Boolean = true', 'Boolean = false', 'Boolean! = true'], invalid: ['Boolean', 'String!'] },
  { valid: [json(true), json(false), json(null), omitted], invalid: [json('yes'), json(1)] },
);

/** socialAccounts(statuses: [SocialConnectionStatus!]): lists, a single value where a list is expected, invalid enums. */
export const statuses = argument(
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
export const id = argument(
  { valid: ['"@own"', '"@own"', '"@other"', '"@missing"', "\"1' or '1'='1\"", '12'], invalid: ['null', 'true'] },
  { valid: ['ID!', 'ID = "@own"', 'ID! = "@missing"'], invalid: ['ID', 'String!'] },
  { valid: [json('@own'), json('@own'), json('@other'), json('@missing'), json("1' or '1'='1"), json(12), json(null), omitted], invalid: [json(true)] },
);

/** statusHistory(first: Int! = 20): in and out of range, explicit null for a defaulted non-null argument, wrong types. */
export const first = argument(
  { valid: ['1', '2', '0', '101', '-1'], invalid: ['null', '"3"', '1.5'] },
  { valid: ['Int', 'Int!', 'Int = 2', 'Int! = 3', 'Int = null'], invalid: ['Float', 'String'] },
  { valid: [json(1), json(2), json(3), json(0), json(101), json(null), omitted], invalid: [json('3'), json(2.5), json(2 ** 31)] },
);

/** statusHistory(after: String): a real cursor, garbage, null. */
export const after = argument(
  { valid: ['null', '"@cursor"', '"bogus"'], invalid: ['7'] },
  { valid: ['String', 'String = "@cursor"', 'String!'], invalid: ['Int'] },
  { valid: [json('@cursor'), json('bogus'), json(null), omitted], invalid: [json(7)] },
);

/** oauthUrl(provider: LoginProvider = FACEBOOK): valid and invalid enums, explicit null for a defaulted argument. */
export const provider = argument(
  { valid: ['FACEBOOK', 'INSTAGRAM', 'null'], invalid: ['NOPE', '"FACEBOOK"'] },
  { valid: ['LoginProvider', 'LoginProvider!', 'LoginProvider = INSTAGRAM'], invalid: ['SocialPlatform'] },
  { valid: [json('FACEBOOK'), json('INSTAGRAM'), json(null), omitted], invalid: [json('NOPE')] },
);

/** oauthUrl(redirectUri: String): accepted, refused, null. */
export const redirectUri = argument(
  { valid: ['"@redirect"', '"https://evil.example/cb"', 'null'], invalid: ['1'] },
  { valid: ['String', 'String = "@redirect"'], invalid: ['ID'] },
  { valid: [json('@redirect'), json('https://evil.example/cb'), json(null), omitted], invalid: [json(false)] },
);

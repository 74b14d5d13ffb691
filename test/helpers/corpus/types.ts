/**
 * Generated GraphQL requests against schema.graphql, for the executor differential test: one
 * arbitrary per construct (arguments.ts: argument values and variables; cases.ts: directives,
 * fields, fragments, operations), composed into whole requests. A generated case is a plain
 * structure (this file); render.ts turns it into the query text and the variables of each round.
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

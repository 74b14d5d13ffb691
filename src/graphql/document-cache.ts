import { parse, specifiedRules, validate, type DocumentNode, type GraphQLError, type GraphQLSchema, type Source, type ValidationRule } from 'graphql';

/** Distinct documents kept; clients send a handful, so this only bounds a client sending junk. */
const MAX_DOCUMENTS = 500;

/**
 * Parsing and validation for graphql-ws, remembered per query text. graphql-ws parses every
 * subscribe afresh, and a subscription keeps its AST (every token and location) for as long as it
 * lives: ~20 KB per connection, half of what a subscriber cost (bench/, scenario 2). Clients send
 * the same few documents, so each is parsed and validated once and its AST shared; graphql-js
 * never mutates an AST. Apollo does the same for HTTP with its document store. `extraRules`: the
 * operation limits (graphql-armor), checked once per document like the standard rules.
 */
export function createDocumentCache(extraRules: readonly ValidationRule[] = []): {
  parse: (source: string | Source) => DocumentNode;
  validate: (schema: GraphQLSchema, document: DocumentNode) => readonly GraphQLError[];
} {
  const documents = new Map<string, DocumentNode>();
  const validated = new WeakMap<DocumentNode, { schema: GraphQLSchema; errors: readonly GraphQLError[] }>();
  return {
    parse: (source) => {
      const text = typeof source === 'string' ? source : source.body;
      let document = documents.get(text);
      if (document) {
        // Least recently used goes first: move this one to the end.
        documents.delete(text);
      } else {
        document = parse(source); // a syntax error throws, as graphql-ws expects
        if (documents.size >= MAX_DOCUMENTS) documents.delete(documents.keys().next().value!);
      }
      documents.set(text, document);
      return document;
    },
    validate: (schema, document) => {
      const known = validated.get(document);
      if (known?.schema === schema) return known.errors;
      const errors = validate(schema, document, extraRules.length ? [...specifiedRules, ...extraRules] : undefined);
      validated.set(document, { schema, errors });
      return errors;
    },
  };
}

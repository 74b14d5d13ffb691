import { invalidJsonMessage } from '../../src/http/middleware-errors';

/** The message for `body` as JSON.parse refuses it (what both /graphql paths and REST answer). */
function messageFor(body: string): string {
  try {
    JSON.parse(body);
  } catch (error) {
    return invalidJsonMessage((error as Error).message, body);
  }
  throw new Error('expected the body not to parse');
}

describe('invalidJsonMessage', () => {
  it('says it is the JSON, what the parser expected and where', () => {
    expect(messageFor('{"query": "{ a }",}')).toBe(
      'The request body is not valid JSON: Expected double-quoted property name in JSON at position 18 (line 1 column 19).',
    );
    expect(messageFor('{"query": ')).toBe('The request body is not valid JSON: Unexpected end of JSON input.');
  });

  it('works out the position where V8 quotes the body instead, and never echoes more than the one character', () => {
    const body = '{\n  "variables": {"token": "EAAGsecretsecretsecretsecret"},\n  "query": nul}';
    const message = messageFor(body);
    expect(message).toBe("The request body is not valid JSON: Unexpected token '}' in JSON at position 74 (line 3 column 15).");
    expect(body[74]).toBe('}');
    expect(message).not.toMatch(/secret|EAAG|query/);
  });

  it("names the first character of a body that is not an object or array (body-parser's strict rule)", () => {
    expect(invalidJsonMessage(`Unexpected token '"', ""socialAccounts"" is not valid JSON`, '  "socialAccounts"')).toBe(
      `The request body is not valid JSON: Unexpected token '"' in JSON at position 2 (line 1 column 3).`,
    );
  });
});

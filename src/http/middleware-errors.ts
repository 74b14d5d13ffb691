/**
 * What express middleware (body-parser, raw-body) puts on an error it raised about the request
 * itself: an HTTP `status` (400, 413, 415 …) and, from body-parser, a `type` such as
 * `entity.too.large`. Anything else thrown reaches the error handlers without these fields.
 */
export interface MiddlewareErrorFields {
  status?: number;
  type?: string;
}

export function middlewareErrorFields(error: unknown): MiddlewareErrorFields {
  if (typeof error !== 'object' || error === null) return {};
  const { status, type } = error as Record<string, unknown>;
  return { status: typeof status === 'number' ? status : undefined, type: typeof type === 'string' ? type : undefined };
}

/**
 * What a client is told about a body the JSON parser refused: the parser's words, which say what
 * it expected ("Expected ',' or '}' after property value in JSON at position 18 (line 1 column
 * 19)"), minus the quote of the body V8 adds to some of them ("…, "{secret…" is not valid JSON"):
 * at most the one unexpected character is echoed. Where those words give no position, it is
 * worked out from the body. Both the direct /graphql path and the express handlers answer with
 * it, so a body gets the same words whichever path read it.
 */
export function invalidJsonMessage(parserMessage: string, body?: string): string {
  let said = parserMessage.replace(/,\s*(?:\.\.\.)?".*"(?:\.\.\.)?\s+is not valid JSON\s*$/s, '');
  if (positionIn(said) === undefined && body !== undefined && !said.startsWith('Unexpected end'))
    said += ` ${whereIn(body, notAnObjectOrArray(body) ?? failurePosition(body))}`;
  return `The request body is not valid JSON: ${said}.`;
}

const positionIn = (message: string) => {
  const found = / in JSON at position (\d+)/.exec(message);
  return found ? Number(found[1]) : undefined;
};

/** V8's own way of saying where: "in JSON at position 7 (line 1 column 8)". */
function whereIn(text: string, position: number): string {
  const before = text.slice(0, position).split('\n');
  return `in JSON at position ${position} (line ${before.length} column ${before[before.length - 1].length + 1})`;
}

/** body-parser's strict rule: a body must start with `{` or `[`; where it does not. */
function notAnObjectOrArray(text: string): number | undefined {
  const start = /^[ \t\n\r]*/.exec(text)![0].length;
  return text[start] === '{' || text[start] === '[' ? undefined : start;
}

/** Whether JSON.parse of this prefix fails only for running out of input (a valid start). */
function runsOut(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return false;
  } catch (error) {
    const message = (error as Error).message;
    return message.startsWith('Unexpected end of JSON input') || positionIn(message) === prefix.length;
  }
}

/** Where parsing failed: the end of the longest prefix that is still a valid start (a binary search, ~18 parses for 256 KB). */
function failurePosition(text: string): number {
  let valid = 0;
  let invalid = text.length;
  while (invalid - valid > 1) {
    const middle = (valid + invalid) >>> 1;
    if (runsOut(text.slice(0, middle))) valid = middle;
    else invalid = middle;
  }
  return valid;
}

/** The client-facing message for a 4xx body-parser error: the JSON's own problem when that is it. */
export function requestErrorMessage(error: unknown, fallback: string): string {
  if (middlewareErrorFields(error).type !== 'entity.parse.failed' || !(error instanceof SyntaxError)) return fallback;
  const { body } = error as SyntaxError & { body?: unknown };
  return invalidJsonMessage(error.message, typeof body === 'string' ? body : undefined);
}

/**
 * JSON.parse that keeps integers beyond 2^53 exact by turning them into strings.
 * Instagram's token endpoint returns `"user_id": 17841400000000001` unquoted; JSON.parse would
 * round it and we would store someone else's id. Only unquoted integer literals with more than
 * 15 digits are rewritten; text inside strings is left alone.
 */
export function parseJsonKeepingBigInts(text: string): unknown {
  let out = '';
  let i = 0;
  let last = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if ((ch >= '0' && ch <= '9') || ch === '-') {
      const start = i;
      i++;
      while (i < text.length && /[0-9.eE+-]/.test(text[i])) i++;
      const literal = text.slice(start, i);
      if (/^-?\d{16,}$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
        out += text.slice(last, start) + `"${literal}"`;
        last = i;
      }
      continue;
    }
    i++;
  }
  return JSON.parse(out + text.slice(last));
}

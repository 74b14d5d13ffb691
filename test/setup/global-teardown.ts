/** Stops the embedded PostgreSQL global-setup.ts started (none when DATABASE_URL was given). */
export default async function globalTeardown(): Promise<void> {
  await globalThis.embeddedTestPostgres?.stop();
}

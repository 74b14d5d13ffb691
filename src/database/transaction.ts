import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';

/**
 * The one way to get a unit of work. `MikroORM` and `EntityManager` from @mikro-orm/postgresql
 * already carry the PostgreSQL driver's type (so `execute` typechecks): nothing needs an
 * `as EntityManager` cast, and code that forks or opens a transaction goes through here so a
 * newcomer never reaches for one.
 */
export type { EntityManager };

type EmSource = MikroORM | EntityManager;

function managerOf(source: EmSource): EntityManager {
  return 'transactional' in source ? source : source.em;
}

/** A fresh EntityManager (own identity map) for one request, subscription or job. */
export function forkEm(source: EmSource): EntityManager {
  return managerOf(source).fork();
}

/** Runs `work` in one transaction (on the fork of `source` it opens); commits when it resolves, rolls back when it throws. */
export function inTransaction<T>(source: EmSource, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  return managerOf(source).transactional(work);
}

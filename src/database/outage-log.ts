import { describeError } from '../describe-error';
import type { Logger } from '../logger';
import { isDatabaseUnavailable } from './unavailable';

/**
 * How a periodic job (a poll loop, a timer, a reconnecting LISTEN connection) reports its
 * failures, so a PostgreSQL outage reads as two lines per component instead of a driver stack
 * trace per poll interval:
 * - the first failure that means "the database is unavailable" (see unavailable.ts) logs ONE
 *   warning: the component and the reason, no stack;
 * - further such failures while the outage lasts log nothing (the job keeps retrying);
 * - the first success afterwards logs ONE info line with how long the outage lasted;
 * - any other failure is a bug or bad data, not an outage: it is logged at error level with its
 *   stack, every time, outage or not.
 * One per component, with that component's logger (its `component` binding names the job in
 * every line); the times are real time (an outage is not on the test clock).
 */
export class OutageLog {
  private since?: number;

  constructor(
    /** The component's logger: `logger.child({ component: 'webhook-delivery' })` and the like. */
    private readonly logger: Logger,
    /** What the job does meanwhile, for the warning. */
    private readonly meanwhile = 'retrying until it answers',
  ) {}

  /** Whether an outage is under way (its warning was logged, its end not yet). */
  get down(): boolean {
    return this.since !== undefined;
  }

  /** A round failed: an outage (warned once) or an unexpected error (logged with its stack, under `message`). */
  failed(error: unknown, message: string): void {
    if (isDatabaseUnavailable(error)) this.unavailable(describeError(error));
    else this.logger.error({ err: error }, message);
  }

  /** The database is out of reach for a reason the caller already knows (a dropped LISTEN connection, say). */
  unavailable(reason: string): void {
    if (this.since !== undefined) return;
    this.since = Date.now();
    this.logger.warn({ reason }, `the database is unavailable; ${this.meanwhile}`);
  }

  /** A round succeeded: ends an outage, if one is under way, with one line saying how long it lasted. */
  recovered(): void {
    if (this.since === undefined) return;
    const outageMs = Date.now() - this.since;
    this.since = undefined;
    this.logger.info({ outageMs }, `the database is back after ${(outageMs / 1000).toFixed(1)} s`);
  }
}

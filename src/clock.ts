/** Time source for everything that schedules or expires. Tests move a ManualClock instead of waiting. */
export interface Clock {
  now(): Date;
  /** Waits `ms` of this clock's time (real time for the system clock). */
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref?.()),
};

export class ManualClock implements Clock {
  private current: number;

  constructor(start: Date | number = Date.now()) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  nowMs(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }

  set(at: Date | number): void {
    this.current = typeof at === 'number' ? at : at.getTime();
  }

  /** Advances instantly: backoff sleeps in tests cost nothing. */
  async sleep(ms: number): Promise<void> {
    this.current += ms;
  }
}

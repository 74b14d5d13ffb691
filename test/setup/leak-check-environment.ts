import { TestEnvironment } from 'jest-environment-node';

/**
 * jest's node environment, plus a check when a test file ends: whatever the file started that
 * keeps a process alive (a server, a socket, a pool, a child process, a timer that is not
 * unref'd) must be gone shortly after its last afterAll. Otherwise the file fails, naming the
 * kinds of resource left, instead of the whole run ending with jest's "a worker process has
 * failed to exit gracefully" and no culprit (jest force-exits a worker 500 ms after asking it to
 * stop). process.getActiveResourcesInfo() is cheap, unlike --detectOpenHandles, so it runs on
 * every file. To find the resource, run the file alone with `npx jest --detectOpenHandles <file>`.
 */
const SETTLE_MS = 1_000;

type Counts = Map<string, number>;

function activeResources(): Counts {
  const counts: Counts = new Map();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** The resources now active beyond `baseline`, by kind. */
function beyond(baseline: Counts): string[] {
  return [...activeResources()].filter(([kind, n]) => n > (baseline.get(kind) ?? 0)).map(([kind, n]) => `${kind} ×${n - (baseline.get(kind) ?? 0)}`);
}

export default class LeakCheckEnvironment extends TestEnvironment {
  private baseline: Counts = new Map();

  override async setup(): Promise<void> {
    await super.setup();
    this.baseline = activeResources();
  }

  override async teardown(): Promise<void> {
    await super.teardown();
    // Closing is often finished a tick or a few later (socket close events, a child's exit).
    const deadline = Date.now() + SETTLE_MS;
    let left = beyond(this.baseline);
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20).unref());
      left = beyond(this.baseline);
    }
    if (left.length > 0) {
      throw new Error(
        `This test file left resources that keep the process alive ${SETTLE_MS} ms after it ended: ${left.join(', ')}. ` +
          'Close them in afterAll/afterEach (apps, servers, clients, pools, child processes), or unref a timer meant to outlive a test. ' +
          'Run the file alone with --detectOpenHandles to see where they were created.',
      );
    }
  }
}

import { UpstreamUnavailableError } from './errors.ts';

/**
 * The pieces every change that calls an owner (a cloud's registry, a cloud's endpoints) shares:
 * a bound on the call, a queue per subject within this process, and a wait for an intent another
 * request (or a dead process) left PENDING. The services keep the intent itself in their own
 * table (promotion, traffic_change); these helpers only order and time the calls.
 */

/** Past an intent's deadline its owner call is over: this much more covers the commit that follows it. */
export const COMMIT_GRACE_MS = 5_000;

/** How long an owner may take by default (CAIRN_OWNER_TIMEOUT_MS). */
export const DEFAULT_OWNER_TIMEOUT_MS = 30_000;

/**
 * Rejects with UPSTREAM_UNAVAILABLE naming `provider` when `run` takes longer than `ms`. The owner
 * may still finish the work: the intent stays PENDING until a reconciler reads the owner back.
 */
export async function withinTime<T>(provider: string, operation: string, ms: number, run: () => Promise<T>) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new UpstreamUnavailableError(provider, `${operation} took longer than ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([run(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs calls with the same key one after another, in arrival order (calls with other keys run
 * alongside). Within a process, requests for one model or one endpoint queue here rather than all
 * polling for the one in flight; the PENDING intent serializes across processes.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const current = (this.tails.get(key) ?? Promise.resolve()).then(work);
    const tail = current.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    try {
      return await current;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

/** An intent as a waiter sees it: still PENDING, and until when its owner call may run. */
export interface PendingIntent {
  pending: boolean;
  /** Milliseconds since the epoch; null when the intent carries none (reconciled at once). */
  deadline: number | null;
}

/**
 * Waits until the intent `read` answers is no longer PENDING (or gone). One still PENDING past its
 * deadline was left by a process that died between the owner call and the commit: `reconcile`
 * settles it by reading the owner back, and the wait ends.
 */
export async function waitWhilePending(
  read: () => Promise<PendingIntent | null>,
  reconcile: () => Promise<unknown>,
  pollMs: number,
): Promise<void> {
  for (;;) {
    const intent = await read();
    if (!intent?.pending) return;
    if (intent.deadline === null || Date.now() > intent.deadline) {
      await reconcile();
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

import pMap from 'p-map';

/**
 * `call` for every item with at most `limit` calls in flight, answering the results in the items'
 * order. The first failure rejects the whole (calls in flight finish, no new ones start), so a
 * cloud that fails is not sent the rest of a page.
 */
export function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  call: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  return pMap(items, call, { concurrency: limit });
}

/**
 * A per-key cache of one call's promise, for resources the owner never changes once made
 * (SageMaker endpoint configs and models): described once per process. A failed call is
 * forgotten, so the next sync asks again.
 */
export class OnceByKey<T> {
  private readonly promises = new Map<string, Promise<T>>();

  get(key: string, call: () => Promise<T>): Promise<T> {
    let promise = this.promises.get(key);
    if (!promise) {
      promise = call();
      this.promises.set(key, promise);
      promise.catch(() => {
        if (this.promises.get(key) === promise) this.promises.delete(key);
      });
    }
    return promise;
  }
}

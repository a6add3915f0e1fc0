// Rows read ahead for the rest of one protocol request. When oidc-provider looks up a token it then
// asks, one query at a time, for the grant, the browser session the token may be bound to and the
// app the token was issued to; the adapter reads them with the token in one statement and keeps them
// here, so those lookups cost no round trip. What is kept lives as long as the request (keyed by its
// context, which oidc-provider exposes as Provider.ctx), and any write through the adapter during the
// request drops it all: a later lookup then reads the database again.
import Provider from 'oidc-provider';

const stores = new WeakMap<object, Map<string, unknown>>();

// undefined when called outside a request (a CLI, a job): nothing is kept then.
function current(create: boolean): Map<string, unknown> | undefined {
  const ctx = Provider.ctx;
  if (!ctx) return undefined;
  let store = stores.get(ctx);
  if (!store && create) {
    store = new Map();
    stores.set(ctx, store);
  }
  return store;
}

export const prefetched = {
  /** Keeps a row (null: known not to exist) for the rest of this request. */
  put(key: string, value: unknown): void {
    current(true)?.set(key, value ?? null);
  },
  /** The row kept under `key`, once: `found` is false when nothing was kept. */
  take<T>(key: string): { found: true; value: T | undefined } | { found: false } {
    const store = current(false);
    if (!store?.has(key)) return { found: false };
    const value = store.get(key);
    store.delete(key);
    return { found: true, value: (value ?? undefined) as T | undefined };
  },
  /** Forgets everything kept for this request (after a write). */
  clear(): void {
    current(false)?.clear();
  },
};

// Waiting for something that happens in the background (a delivery, a log flush, a row written after
// the answer) by asking again until it holds, rather than sleeping a fixed time and hoping: a fixed
// wait is either too short on a loaded machine or longer than needed everywhere else.

/**
 * Calls `fn` until it returns without throwing, and answers what it returned; after `timeoutMs`
 * rethrows its last error, so the failure says what was still not so.
 */
export async function eventually<T>(
  fn: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

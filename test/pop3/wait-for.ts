/**
 * Waits until `condition` holds, checking every 10 ms, for server-side effects
 * a client cannot observe directly (a connection the server has not yet seen
 * close). Fails after `limitMs` so a broken server fails the test instead of hanging it.
 */
export async function waitFor(condition: () => boolean | Promise<boolean>, limitMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > limitMs) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** When the engine last gave the event loop a turn. */
let lastTurn = 0;

/**
 * Gives the event loop a turn between batches so the page can paint and a cancel click can land — at most about
 * once a frame, so many tiny batches (a head on cached embeddings) do not pay a task hop each.
 * A MessageChannel hop avoids the 4 ms clamp of nested timeouts and exists in Node and in browsers.
 */
export function breathe(): Promise<void> {
  const now = performance.now();
  if (now - lastTurn < 16) return Promise.resolve();
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      lastTurn = performance.now();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

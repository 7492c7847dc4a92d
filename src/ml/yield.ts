/**
 * Gives the event loop a turn between batches so the page can paint and a cancel click can land.
 * `tf.nextFrame` needs requestAnimationFrame (browser only); a zero timeout works in Node and the browser.
 */
export function breathe(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * How long this page's main thread stays busy after a call: a message posted to ourselves at call
 * time is delivered once the page can run its next task, which is also the earliest the worker's
 * reply can be handled. The panel shows it next to the round trip, so the part of a round trip
 * that is the page's own work (building a view, drawing images) is visible, not blamed on the model.
 */

/**
 * Resolves with the milliseconds until the page can run its next task.
 *
 * @example const wait = pageWait(); await model.run(feeds); console.log(await wait);
 */
export function pageWait(): Promise<number> {
  const t0 = performance.now();
  const channel = new MessageChannel();
  return new Promise((resolve) => {
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve(performance.now() - t0);
    };
    channel.port2.postMessage(0);
  });
}

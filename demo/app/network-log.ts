/**
 * What this page sends over the network, computed from two real sources rather than asserted:
 * - Resource Timing (`performance` 'resource' entries): every request the page made, its host,
 *   its initiator (a `beacon` shows up as one) and the bytes it received;
 * - the request bodies of `fetch`, `XMLHttpRequest` and `navigator.sendBeacon`, measured by
 *   wrapping them before anything else runs (Resource Timing has no request sizes or methods).
 * A dedicated worker's fetches appear in the worker's own timeline, not the page's: the engine's
 * model download is reported by the engine itself (`stats().bytesDownloaded`), and we say so.
 *
 * Import this module first, so nothing can send before the wrappers are in place.
 */

export interface NetworkSummary {
  /** Requests in the page's Resource Timing log. */
  requests: number;
  /** Bytes received (transfer size, or body size when the browser hides transfer size). */
  bytesIn: number;
  /** Hosts the page contacted, its own first. */
  hosts: string[];
  /** Hosts other than the page's own. */
  thirdParty: string[];
  /** Requests that carried a body (POST, PUT, …) or were beacons. */
  uploads: number;
  /** Bytes in those request bodies. */
  bytesOut: number;
  /** Beacons seen in Resource Timing (a cross-check of the wrapper). */
  beacons: number;
}

let uploads = 0;
let bytesOut = 0;
let installed = false;
const entries: PerformanceResourceTiming[] = [];
const listeners = new Set<() => void>();
const notify = (): void => { for (const fn of listeners) fn(); };

function bodySize(body: unknown): number {
  if (body === null || body === undefined) return 0;
  if (typeof body === 'string') return new TextEncoder().encode(body).byteLength;
  if (body instanceof Blob) return body.size;
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return body.byteLength;
  if (body instanceof URLSearchParams) return new TextEncoder().encode(body.toString()).byteLength;
  if (body instanceof FormData) {
    let n = 0;
    for (const [k, v] of body) n += k.length + (typeof v === 'string' ? new TextEncoder().encode(v).byteLength : v.size);
    return n;
  }
  return 0; // a ReadableStream: size unknown until sent; counted as an upload all the same
}

function recordUpload(n: number): void {
  uploads++;
  bytesOut += n;
  notify();
}

/** Wraps the page's ways of sending data and starts reading Resource Timing. Idempotent. */
export function installNetworkLog(): void {
  if (installed) return;
  installed = true;
  const origFetch = globalThis.fetch.bind(globalThis);
  globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      if (init?.body !== undefined) recordUpload(bodySize(init.body));
      else if (input instanceof Request) input.clone().arrayBuffer().then((b) => recordUpload(b.byteLength), () => recordUpload(0));
      else recordUpload(0);
    }
    return origFetch(input, init);
  };
  const origSend = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function send(this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
    if (body !== undefined && body !== null) recordUpload(body instanceof Document ? new XMLSerializer().serializeToString(body).length : bodySize(body));
    return origSend.call(this, body);
  };
  if (typeof navigator.sendBeacon === 'function') {
    const origBeacon = navigator.sendBeacon.bind(navigator);
    navigator.sendBeacon = (url: string | URL, data?: BodyInit | null): boolean => {
      recordUpload(bodySize(data));
      return origBeacon(url, data);
    };
  }
  // An observer, not getEntriesByType: the resource buffer stops at 250 entries by default and a
  // shop page loads more images than that.
  new PerformanceObserver((list) => {
    entries.push(...(list.getEntries() as PerformanceResourceTiming[]));
    notify();
  }).observe({ type: 'resource', buffered: true });
}

export function onNetworkChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function networkSummary(): NetworkSummary {
  const own = location.host;
  const hosts = new Set<string>([own]);
  let bytesIn = 0;
  let beacons = 0;
  for (const e of entries) {
    try { hosts.add(new URL(e.name).host); } catch { /* data: and blob: URLs have no host */ }
    bytesIn += e.transferSize > 0 ? e.transferSize : e.encodedBodySize;
    if (e.initiatorType === 'beacon') beacons++;
  }
  const all = [...hosts].filter((x) => x !== '');
  return { requests: entries.length, bytesIn, hosts: all, thirdParty: all.filter((x) => x !== own), uploads, bytesOut, beacons };
}

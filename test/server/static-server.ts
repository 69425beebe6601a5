/**
 * A small static server for browser tests and benchmarks, with the header and fault controls the
 * tests need and no dependency:
 *   /coi/<path>              same file, served cross-origin isolated (COOP/COEP/CORP)
 *   /__fault/status/<code>/<path>   always answers <code>
 *   /__fault/flaky/<n>/<key>/<path> answers 503 the first <n> times per <key>, then the file
 *   /__fault/slow/<ms>/<path>       waits <ms> before answering
 *   /__fault/truncate/<path>        announces the full length, sends half, then cuts the socket
 * Every request is counted by path and by full URL (GET /__stats) so tests can assert zero network bytes:
 * `bytes` is the file's own size, `wireBytes` what was sent (less when a precompressed copy went).
 * With `precompressed`, a request whose Accept-Encoding allows it gets `<file>.br` (else
 * `<file>.gz`) when that exists beside the file, as docs/SERVING.md tells a site to configure.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
  '.onnx': 'application/octet-stream', '.png': 'image/png', '.jpg': 'image/jpeg', '.txt': 'text/plain; charset=utf-8', '.csv': 'text/csv',
};

export interface ServeOptions {
  /** Directories searched in order for each path. */
  roots: string[];
  port?: number;
  host?: string;
  /** Extra headers for every response (e.g. a CSP). */
  headers?: Record<string, string>;
  /** Send COOP/COEP on every response, not only under /coi/. */
  isolated?: boolean;
  /** Cache-Control per path. Default 'no-store' for everything (tests must see every request). */
  cacheControl?: (path: string) => string;
  /** Serve `<file>.br` / `<file>.gz` when they exist and the client accepts them. Default false. */
  precompressed?: boolean;
}

/** The precompressed copy of `file` to send for `acceptEncoding`, if any (brotli first). */
function precompressedCopy(file: string, acceptEncoding: string | undefined): { path: string; encoding: 'br' | 'gzip' } | undefined {
  const accepted = new Set((acceptEncoding ?? '').split(',').map((t) => t.split(';')[0]!.trim().toLowerCase()));
  if (accepted.has('br') && existsSync(`${file}.br`)) return { path: `${file}.br`, encoding: 'br' };
  if (accepted.has('gzip') && existsSync(`${file}.gz`)) return { path: `${file}.gz`, encoding: 'gzip' };
  return undefined;
}

export interface RunningServer {
  server: Server;
  url: string;
  port: number;
  stats: Map<string, { count: number; bytes: number; wireBytes: number }>;
  close(): Promise<void>;
}

function findFile(roots: string[], path: string): string | undefined {
  const clean = normalize(decodeURIComponent(path)).replace(/^(\.\.[/\\])+/, '');
  for (const root of roots) {
    let file = join(root, clean);
    if (!resolve(file).startsWith(resolve(root))) continue;
    try {
      let st = statSync(file);
      if (st.isDirectory()) { file = join(file, 'index.html'); st = statSync(file); }
      if (st.isFile()) return file;
    } catch { /* next root */ }
  }
  return undefined;
}

/** Start serving; resolves when listening. */
export function serve(opts: ServeOptions): Promise<RunningServer> {
  const stats = new Map<string, { count: number; bytes: number; wireBytes: number }>();
  const flaky = new Map<string, number>();
  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let path = new URL(req.url ?? '/', 'http://x').pathname;
    const headers: Record<string, string> = { 'Cache-Control': opts.cacheControl?.(path) ?? 'no-store', ...opts.headers };
    if (path === '/__stats') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify(Object.fromEntries(stats)));
      return;
    }
    if (path === '/__stats/reset') { stats.clear(); res.writeHead(204).end(); return; }
    if (opts.isolated || path.startsWith('/coi/')) {
      if (path.startsWith('/coi/')) path = path.slice(4);
      Object.assign(headers, { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'cross-origin' });
    }
    let truncate = false;
    const fault = /^\/__fault\/(status|flaky|slow|truncate)\/(.*)$/.exec(path);
    if (fault) {
      const [, kind, rest = ''] = fault;
      const parts = rest.split('/');
      if (kind === 'status') { res.writeHead(Number(parts[0]), headers).end(`fault: status ${parts[0]}`); return; }
      if (kind === 'flaky') {
        const n = Number(parts[0]); const key = parts[1] ?? '';
        const seen = flaky.get(key) ?? 0;
        flaky.set(key, seen + 1);
        if (seen < n) { res.writeHead(503, headers).end('fault: flaky'); return; }
        path = `/${parts.slice(2).join('/')}`;
      } else if (kind === 'slow') {
        await new Promise((r) => setTimeout(r, Number(parts[0])));
        path = `/${parts.slice(1).join('/')}`;
      } else {
        truncate = true;
        path = `/${rest}`;
      }
    }
    const file = findFile(opts.roots, path);
    if (!file) { res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end(`not found: ${path}`); return; }
    const size = statSync(file).size;
    const copy = opts.precompressed && !truncate ? precompressedCopy(file, req.headers['accept-encoding']) : undefined;
    const sent = copy ? statSync(copy.path).size : size;
    // Counted by served path and, when it differs, by the full requested URL too, so a test can
    // use a unique query string to count only its own requests.
    for (const key of new Set([path, req.url ?? path])) {
      const entry = stats.get(key) ?? { count: 0, bytes: 0, wireBytes: 0 };
      entry.count++; entry.bytes += size; entry.wireBytes += sent;
      stats.set(key, entry);
    }
    const encoding: Record<string, string> = copy ? { 'Content-Encoding': copy.encoding, Vary: 'Accept-Encoding' } : opts.precompressed ? { Vary: 'Accept-Encoding' } : {};
    res.writeHead(200, { ...headers, ...encoding, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': String(sent) });
    if (req.method === 'HEAD') { res.end(); return; }
    if (truncate) {
      createReadStream(file, { start: 0, end: Math.max(0, Math.floor(size / 2) - 1) })
        .on('end', () => res.socket?.destroy()).pipe(res, { end: false });
      return;
    }
    const stream = createReadStream(copy?.path ?? file);
    // A client that goes away mid-file (a terminated worker) must not leave the stream open.
    stream.on('error', () => res.destroy());
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  };
  const server = createServer((req, res) => { handler(req, res).catch(() => { res.destroy(); }); });
  // Node closes idle keep-alive sockets after 5 s; Chromium may reuse one at that very moment and
  // see a failed request. Keep sockets longer than any test's idle gap.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
  return new Promise((resolveListen) => {
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolveListen({
        server, port, stats, url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
        close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
      });
    });
  });
}

/**
 * A Vite plugin for `npm start` / `vite preview`: serves the script-tag build (dist/cdn, made by
 * `npm run build`) at /inpage/, so public/embed/ (the embed example page) runs next to the demo
 * shop. Without a build it answers 404 saying what to run. Only for the dev and preview servers:
 * `vite build` leaves it out (deploy dist/cdn wherever your script host is).
 */
import { createReadStream, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import type { Connect, Plugin } from 'vite';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm', '.map': 'application/json', '.txt': 'text/plain; charset=utf-8',
};

/** Middleware answering `<prefix><file>` from `dir`. */
function serveFolder(prefix: string, dir: string): Connect.NextHandleFunction {
  return (req, res: ServerResponse, next) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (!path.startsWith(prefix)) return next();
    const file = join(dir, normalize(decodeURIComponent(path.slice(prefix.length))).replace(/^(\.\.[/\\])+/, ''));
    let ok = false;
    try {
      ok = resolve(file).startsWith(resolve(dir)) && statSync(file).isFile();
    } catch { /* missing */ }
    if (!ok) {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(`${path}: not in ${dir}. Run \`npm run build\` to make the script-tag build, then reload.\n`);
      return;
    }
    res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
    // What a script host sends: the worker imports its modules and fetches the .wasm with CORS.
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cache-Control', 'no-cache');
    createReadStream(file).pipe(res);
  };
}

/**
 * Serves `dir` (dist/cdn) at `/inpage/` in `vite` and `vite preview`.
 *
 * @example plugins: [scriptTagBuild(fileURLToPath(new URL('./dist/cdn', import.meta.url)))]
 */
export function scriptTagBuild(dir: string): Plugin {
  return {
    name: 'inpage-script-tag-build',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use(serveFolder('/inpage/', dir));
    },
    configurePreviewServer(server) {
      server.middlewares.use(serveFolder('/inpage/', dir));
    },
  };
}

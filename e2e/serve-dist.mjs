// A minimal static server for the built dist/ on 127.0.0.1, for the e2e
// checks. Serves .wasm as application/wasm (streaming instantiation needs it)
// and refuses paths outside the root.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Starts serving `root`; resolves to { url, close }. Port 0 picks a free one. */
export async function serveDist(root, port = 0) {
  const base = resolve(root);
  await stat(join(base, 'index.html')).catch(() => {
    throw new Error(`${base}/index.html is missing: run \`trunk build --release\` first`);
  });
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = normalize(join(base, path.endsWith('/') ? path + 'index.html' : path));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok, fail) => server.listen(port, '127.0.0.1', ok).on('error', fail));
  const { port: bound } = server.address();
  return { url: `http://127.0.0.1:${bound}/`, close: () => new Promise((ok) => server.close(ok)) };
}

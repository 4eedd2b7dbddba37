// A small HTTP proxy for artifact tests: it records every request that passes (to count blob
// requests), and on demand breaks things once: cuts an upload's body after N bytes, cuts a blob
// download after N bytes, or flips a byte of a blob it serves (a server whose copy went bad
// without noticing, so only the client's own SHA-256 check can catch it).
import { request, createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Transform, type TransformCallback } from "node:stream";

export interface Seen { method: string; url: string; range: string | undefined }

export interface Proxy {
  url: string;
  seen: Seen[];
  /** Cut the next blob upload (PUT) after this many body bytes have reached the server. */
  cutUploadAfter: number | undefined;
  /** Cut the next blob download (GET /blobs/) after this many body bytes. */
  cutDownloadAfter: number | undefined;
  /** Flip the first byte of every blob download body while true. */
  flipBlobBytes: boolean;
  /** Requests for blob bytes (GET /api/v1/blobs/:digest). */
  blobGets(): Seen[];
  close(): Promise<void>;
}

/** Polls the upload's status until the server reports bytes received (at most 10 s). */
async function untilReceived(upstream: string, uploadPath: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    try {
      const status = await (await fetch(upstream + uploadPath)).json() as { received?: number };
      if ((status.received ?? 0) > 0) return;
    } catch { /* try again */ }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startProxy(upstream: string): Promise<Proxy> {
  const target = new URL(upstream);
  const proxy: Proxy = {
    url: "", seen: [], cutUploadAfter: undefined, cutDownloadAfter: undefined, flipBlobBytes: false,
    blobGets: () => proxy.seen.filter((s) => s.method === "GET" && /^\/api\/v1\/blobs\/[0-9a-f]{64}$/.test(s.url.split("?")[0]!)),
    close: async () => {},
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? "";
    proxy.seen.push({ method: req.method ?? "", url, range: req.headers.range });
    const up = request({ host: target.hostname, port: target.port, method: req.method, path: url, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      // A server that breaks off mid-body must look the same to the client through the proxy.
      upRes.on("close", () => {
        if (!upRes.complete) res.socket?.destroy();
      });
      const isBlob = req.method === "GET" && /^\/api\/v1\/blobs\/[0-9a-f]{64}$/.test(url) && (upRes.statusCode === 200 || upRes.statusCode === 206);
      if (isBlob && proxy.cutDownloadAfter !== undefined) {
        let left = proxy.cutDownloadAfter;
        proxy.cutDownloadAfter = undefined;
        upRes.on("data", (chunk: Buffer) => {
          if (left <= 0) return;
          const part = chunk.subarray(0, left);
          left -= part.length;
          res.write(part, () => {
            if (left <= 0) {
              upRes.destroy();
              setTimeout(() => res.socket?.destroy(), 50);
            }
          });
        });
        return;
      }
      if (isBlob && proxy.flipBlobBytes) {
        let first = true;
        upRes.pipe(new Transform({
          transform(chunk: Buffer, _e, cb: TransformCallback) {
            if (first && chunk.length > 0) {
              chunk = Buffer.from(chunk);
              chunk[0] = chunk[0]! ^ 0xff;
              first = false;
            }
            cb(null, chunk);
          },
        })).pipe(res);
        return;
      }
      upRes.pipe(res);
    });
    up.on("error", () => res.socket?.destroy());
    if (req.method === "PUT" && proxy.cutUploadAfter !== undefined) {
      let left = proxy.cutUploadAfter;
      proxy.cutUploadAfter = undefined;
      req.on("data", (chunk: Buffer) => {
        if (left <= 0) return;
        const part = chunk.subarray(0, left);
        left -= part.length;
        up.write(part, () => {
          if (left > 0) return;
          // Wait until the server holds some of what arrived (so the test is not at the mercy of
          // a busy machine), then break both connections mid-body.
          void untilReceived(upstream, url.split("?")[0]!).then(() => {
            up.destroy();
            req.socket.destroy();
          });
        });
      });
      return;
    }
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  proxy.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  proxy.close = () => new Promise((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });
  return proxy;
}

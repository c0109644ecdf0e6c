import { Readable } from 'node:stream';
import type { Request as ExpressRequest, Response as ExpressResponse } from 'express';
import getRawBody from 'raw-body';

export class PayloadHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An Express request as the Fetch `Request` Payload's handlers take. Multipart bodies (uploads) stream through,
 * bounded by Payload's own upload limits; any other body is read here, up to `limit` bytes (larger → 413), and
 * shown to `inspect` (which may refuse it by throwing a PayloadHttpError) before Payload sees it.
 */
export async function toFetchRequest(req: ExpressRequest, limit: number | string, inspect?: (body: Uint8Array) => void): Promise<Request> {
  const url = new URL(req.originalUrl, `${req.protocol}://${req.get('host') ?? 'localhost'}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const init: RequestInit & { duplex?: 'half' } = { method: req.method, headers };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    if (hasBody(req) && !req.is(['application/json', 'multipart/*'])) {
      // Payload reads JSON and multipart only; anything else would reach its operations as missing data (500).
      throw new PayloadHttpError(415, `Unsupported content type "${req.headers['content-type'] ?? 'none'}": send application/json or multipart/form-data.`);
    }
    // Media types are case-insensitive; Payload compares them as written (`Application/JSON` would not be read).
    const contentType = req.headers['content-type'];
    if (contentType) headers.set('content-type', contentType.replace(/^[^;]*/, (type) => type.trim().toLowerCase()));
    if (req.is('multipart/*')) {
      if (!/;\s*boundary=/i.test(contentType ?? '')) {
        throw new PayloadHttpError(400, 'A multipart body needs a boundary parameter in its Content-Type.'); // nothing could parse it
      }
      init.body = Readable.toWeb(req) as ReadableStream;
      init.duplex = 'half';
    } else {
      const body = new Uint8Array(await readBody(req, limit));
      inspect?.(body);
      init.body = body;
    }
  }
  return new Request(url, init);
}

const hasBody = (req: ExpressRequest): boolean =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

async function readBody(req: ExpressRequest, limit: number | string): Promise<Buffer> {
  try {
    return await getRawBody(req, { limit, length: req.headers['content-length'] });
  } catch (error) {
    const { status, type } = error as { status?: number; type?: string };
    if (type === 'entity.too.large') throw new PayloadHttpError(413, `Request body is larger than the limit of ${limit}.`);
    throw new PayloadHttpError(status ?? 400, 'The request body could not be read.');
  }
}

/** Writes a Fetch `Response` to Express, every `Set-Cookie` included, streaming the body. */
export async function sendFetchResponse(response: Response, res: ExpressResponse): Promise<void> {
  res.status(response.status);
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) res.append('Set-Cookie', cookies);
  if (!response.body) {
    res.end();
    return;
  }
  await new Promise<void>((resolve) => {
    Readable.fromWeb(response.body as never)
      .on('error', () => res.destroy())
      .pipe(res)
      .on('close', resolve);
  });
}

/** An error in Payload's own response shape. */
export function sendPayloadError(res: ExpressResponse, status: number, message: string, headers: Headers = new Headers()): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  headers.forEach((value, name) => res.setHeader(name, value));
  res.status(status).json({ errors: [{ message }] });
}

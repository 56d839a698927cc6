// The real cause of a failed request. The SDK's "Connection error." and fetch's "fetch failed" hide it
// in `cause` (ECONNREFUSED, ENOTFOUND, a TLS error): a person needs that, not the wrapper's words.
export function causeOf(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; cur && depth < 4; depth++) {
    const err = cur as { message?: unknown; code?: unknown; cause?: unknown };
    const msg = typeof err.message === 'string' ? err.message.trim() : String(cur);
    const code = typeof err.code === 'string' ? err.code : undefined;
    const text = code && !msg.includes(code) ? `${msg} (${code})` : msg;
    if (text && !parts.some((p) => p.includes(text))) parts.push(text);
    cur = err.cause;
  }
  return parts.join(': ') || 'unknown error';
}

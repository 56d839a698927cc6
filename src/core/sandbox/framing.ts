// Binary framing of the messages between the host and a sandbox child over its stdin/stdout pipes.
// A message is a small JSON header plus one binary payload (frames or a bitstream), so pixels
// travel as raw bytes, never as JSON arrays of numbers:
//   u32le headerBytes | u32le payloadBytes | header (UTF-8 JSON) | payload

export interface Message<H = Record<string, unknown>> {
  header: H;
  payload: Buffer;
}

const PREFIX = 8;

export function encodeMessage(header: unknown, payload?: Uint8Array): Buffer[] {
  const h = Buffer.from(JSON.stringify(header), 'utf8');
  const p = payload ?? Buffer.alloc(0);
  const prefix = Buffer.alloc(PREFIX);
  prefix.writeUInt32LE(h.length, 0);
  prefix.writeUInt32LE(p.byteLength, 4);
  const body = Buffer.isBuffer(p) ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength);
  return [prefix, h, body];
}

export class MessageTooLargeError extends Error {
  constructor(readonly bytes: number, readonly limit: number) {
    super(`message of ${bytes} bytes exceeds the ${limit}-byte limit`);
  }
}

/**
 * Reassembles messages from pipe chunks. Refuses a message whose declared size is over `maxBytes`
 * before buffering it, so a hostile child cannot make the host allocate without bound.
 */
export class MessageReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly onMessage: (m: Message) => void, private readonly maxBytes = 2 ** 31 - 1) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.buffered < PREFIX) return;
      const head = this.peek(PREFIX);
      const hLen = head.readUInt32LE(0);
      const pLen = head.readUInt32LE(4);
      const total = PREFIX + hLen + pLen;
      if (hLen + pLen > this.maxBytes) throw new MessageTooLargeError(hLen + pLen, this.maxBytes);
      if (this.buffered < total) return;
      const all = this.take(total);
      const header = JSON.parse(all.subarray(PREFIX, PREFIX + hLen).toString('utf8'));
      this.onMessage({ header, payload: all.subarray(PREFIX + hLen, total) });
    }
  }

  get pendingBytes(): number { return this.buffered; }

  private peek(n: number): Buffer {
    if (this.chunks[0].length >= n) return this.chunks[0].subarray(0, n);
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined.subarray(0, n);
  }

  private take(n: number): Buffer {
    const joined = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const out = joined.subarray(0, n);
    const rest = joined.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }
}

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
 *
 * Each chunk's bytes are copied exactly once, straight into a buffer of the size the message
 * declared (joining the chunks when the message completes held a decoded clip twice: 79 MiB more
 * peak for 720p60). The payload handed out is a view of that buffer, so frame planes cut from it
 * are views too. Allocating the declared size up front is safe: it is capped by `maxBytes`, and a
 * large allocation is reserved, not resident, until the bytes arrive.
 */
export class MessageReader {
  private readonly prefix = Buffer.alloc(PREFIX);
  private prefixFill = 0;
  /** Header + payload of the message being read, once its prefix is known. */
  private body: Buffer | undefined;
  private bodyFill = 0;
  private headerBytes = 0;

  constructor(private readonly onMessage: (m: Message) => void, private readonly maxBytes = 2 ** 31 - 1) {}

  push(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      if (!this.body) {
        const n = Math.min(PREFIX - this.prefixFill, chunk.length - off);
        chunk.copy(this.prefix, this.prefixFill, off, off + n);
        this.prefixFill += n;
        off += n;
        if (this.prefixFill < PREFIX) return;
        const hLen = this.prefix.readUInt32LE(0);
        const pLen = this.prefix.readUInt32LE(4);
        if (hLen + pLen > this.maxBytes) throw new MessageTooLargeError(hLen + pLen, this.maxBytes);
        this.headerBytes = hLen;
        this.body = Buffer.allocUnsafe(hLen + pLen);
        this.bodyFill = 0;
      }
      const n = Math.min(this.body.length - this.bodyFill, chunk.length - off);
      chunk.copy(this.body, this.bodyFill, off, off + n);
      this.bodyFill += n;
      off += n;
      if (this.bodyFill === this.body.length) {
        const body = this.body;
        this.body = undefined;
        this.prefixFill = 0;
        const header = JSON.parse(body.toString('utf8', 0, this.headerBytes));
        this.onMessage({ header, payload: body.subarray(this.headerBytes) });
      }
    }
  }

  /** Bytes received of a message not yet complete. */
  get pendingBytes(): number { return this.body ? PREFIX + this.bodyFill : this.prefixFill; }
}

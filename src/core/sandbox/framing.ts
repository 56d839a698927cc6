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
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`message of ${bytes} bytes exceeds the ${limit}-byte limit`);
  }
}

/**
 * Where a message's payload goes instead of one buffer: given its header and size, a consumer may
 * take the payload piece by piece (each piece a view valid only during the call).
 */
export type PayloadStream = (header: Record<string, unknown>, payloadBytes: number) => ((piece: Buffer) => void) | undefined;

const EMPTY = Buffer.alloc(0);

/**
 * Reassembles messages from pipe chunks. Refuses a message whose declared size is over `maxBytes`
 * before buffering it, so a hostile child cannot make the host allocate without bound.
 *
 * Each chunk's bytes are copied exactly once, straight into a buffer of the size the payload
 * declared (joining the chunks when the message completed held a decoded clip twice: 79 MiB more
 * peak for 720p60), and the payload handed out is that buffer, so frame planes cut from it are
 * views. Allocating the declared size up front is safe: it is capped by `maxBytes`, and a large
 * allocation is reserved, not resident, until the bytes arrive. With `stream`, a payload its
 * consumer accepts is never held at all: the message then arrives with an empty payload.
 */
export class MessageReader {
  private readonly prefix = Buffer.alloc(PREFIX);
  private prefixFill = 0;
  private header: Buffer | undefined;
  private headerFill = 0;
  private parsed: Record<string, unknown> | undefined;
  private payload: Buffer | undefined;
  private payloadBytes = 0;
  private payloadFill = 0;
  private sink: ((piece: Buffer) => void) | undefined;

  constructor(
    private readonly onMessage: (m: Message) => void,
    private readonly maxBytes = 2 ** 31 - 1,
    private readonly stream?: PayloadStream,
  ) {}

  push(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length || (this.header && this.complete())) {
      if (!this.header) {
        const n = Math.min(PREFIX - this.prefixFill, chunk.length - off);
        chunk.copy(this.prefix, this.prefixFill, off, off + n);
        this.prefixFill += n;
        off += n;
        if (this.prefixFill < PREFIX) return;
        const hLen = this.prefix.readUInt32LE(0);
        const pLen = this.prefix.readUInt32LE(4);
        if (hLen + pLen > this.maxBytes) throw new MessageTooLargeError(hLen + pLen, this.maxBytes);
        this.header = Buffer.allocUnsafe(hLen);
        this.headerFill = 0;
        this.payloadBytes = pLen;
        this.payloadFill = 0;
      }
      if (!this.parsed) {
        const n = Math.min(this.header.length - this.headerFill, chunk.length - off);
        chunk.copy(this.header, this.headerFill, off, off + n);
        this.headerFill += n;
        off += n;
        if (this.headerFill < this.header.length) return;
        this.parsed = JSON.parse(this.header.toString('utf8')) as Record<string, unknown>;
        this.sink = this.payloadBytes ? this.stream?.(this.parsed, this.payloadBytes) : undefined;
        if (!this.sink) this.payload = this.payloadBytes ? Buffer.allocUnsafe(this.payloadBytes) : EMPTY;
      }
      const n = Math.min(this.payloadBytes - this.payloadFill, chunk.length - off);
      if (n > 0) {
        if (this.sink) this.sink(chunk.subarray(off, off + n));
        else chunk.copy(this.payload!, this.payloadFill, off, off + n);
        this.payloadFill += n;
        off += n;
      }
      if (this.complete()) {
        const m: Message = { header: this.parsed, payload: this.payload ?? EMPTY };
        this.header = this.parsed = this.payload = this.sink = undefined;
        this.prefixFill = 0;
        this.onMessage(m);
      }
    }
  }

  private complete(): boolean {
    return this.parsed !== undefined && this.payloadFill === this.payloadBytes;
  }

  /** Bytes received of a message not yet complete. */
  get pendingBytes(): number {
    return this.header ? PREFIX + this.headerFill + this.payloadFill : this.prefixFill;
  }
}

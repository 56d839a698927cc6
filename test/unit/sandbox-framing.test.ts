import { strict as assert } from 'node:assert';
import { MessageReader, MessageTooLargeError, encodeMessage, type Message } from '../../src/core/sandbox/framing';
import { SourceMapper } from '../../src/core/sandbox/sourcemap';

describe('sandbox framing', () => {
  it('reassembles messages split at every byte boundary, payload bytes intact', () => {
    const payload = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 255);
    const wire = Buffer.concat([...encodeMessage({ type: 'a', n: 1 }, payload), ...encodeMessage({ type: 'b' })]);
    for (const size of [1, 3, 8, 64, wire.length]) {
      const got: Message[] = [];
      const r = new MessageReader((m) => got.push(m));
      for (let i = 0; i < wire.length; i += size) r.push(wire.subarray(i, i + size));
      assert.deepEqual(
        got.map((m) => m.header),
        [{ type: 'a', n: 1 }, { type: 'b' }],
      );
      assert.ok(Buffer.from(payload).equals(got[0].payload));
      assert.equal(got[1].payload.length, 0);
      assert.equal(r.pendingBytes, 0);
    }
  });

  it('copies a large payload once into one buffer of the declared size (no join of chunks)', () => {
    const payload = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 13) & 255);
    const wire = Buffer.concat(encodeMessage({ type: 'decoded' }, payload));
    const got: Message[] = [];
    const r = new MessageReader((m) => got.push(m));
    const chunks: Buffer[] = [];
    for (let i = 0; i < wire.length; i += 65_536) chunks.push(Buffer.from(wire.subarray(i, i + 65_536)));
    for (const c of chunks.slice(0, -1)) r.push(c);
    assert.equal(got.length, 0);
    assert.equal(r.pendingBytes, 65_536 * (chunks.length - 1));
    r.push(chunks[chunks.length - 1]);
    assert.equal(got.length, 1);
    const p = got[0].payload;
    assert.ok(Buffer.from(payload).equals(p));
    // One allocation of exactly the declared size holds the payload, not a join of the chunks.
    assert.equal(p.buffer.byteLength, payload.length);
    assert.ok(chunks.every((c) => c.buffer !== p.buffer));
    chunks[1].fill(0);
    assert.ok(Buffer.from(payload).equals(p), 'the payload does not alias the pipe chunks');
  });

  it('streams a payload its consumer accepts, never holding it whole', () => {
    const payload = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 29) & 255);
    const wire = Buffer.concat([
      ...encodeMessage({ type: 'decoded' }, payload),
      ...encodeMessage({ type: 'other' }, payload.subarray(0, 10)),
      ...encodeMessage({ type: 'decoded' }),
    ]);
    for (const size of [7, 4096, wire.length]) {
      const got: Message[] = [];
      const pieces: Buffer[] = [];
      const r = new MessageReader(
        (m) => got.push(m),
        undefined,
        (h, n) => {
          assert.equal(n, h.type === 'decoded' ? payload.length : 10);
          return h.type === 'decoded' ? (piece) => pieces.push(Buffer.from(piece)) : undefined;
        },
      );
      for (let i = 0; i < wire.length; i += size) r.push(wire.subarray(i, i + size));
      assert.deepEqual(
        got.map((m) => m.header),
        [{ type: 'decoded' }, { type: 'other' }, { type: 'decoded' }],
      );
      assert.equal(got[0].payload.length, 0, 'a streamed payload is not buffered');
      assert.ok(Buffer.concat(pieces).equals(Buffer.from(payload)));
      assert.ok(got[1].payload.equals(Buffer.from(payload.subarray(0, 10))), 'a refused stream is buffered as usual');
      assert.equal(r.pendingBytes, 0);
    }
  });

  it('refuses a declared size over the cap before buffering it', () => {
    const r = new MessageReader(() => assert.fail('no message expected'), 1000);
    const [prefix] = encodeMessage({ type: 'x' }, new Uint8Array(0));
    prefix.writeUInt32LE(5000, 4);
    assert.throws(() => r.push(prefix), MessageTooLargeError);
  });
});

describe('sandbox source map reader', () => {
  it('decodes VLQ mappings (known map of a one-line esbuild transform)', () => {
    // "const a: number = 1;" → "const a = 1;\n": mappings from esbuild.
    const m = new SourceMapper('AAAA,MAAM,IAAY;');
    assert.deepEqual(m.original(1, 0), { line: 1, column: 0 });
    assert.deepEqual(m.original(1, 6), { line: 1, column: 6 });
    assert.deepEqual(m.original(1, 10), { line: 1, column: 18 });
    assert.deepEqual(m.original(1, 11), { line: 1, column: 19 });
  });
});

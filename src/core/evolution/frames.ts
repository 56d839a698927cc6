// Frames for the dashboard's frame viewer: original and decoded frame N of a clip for the best version
// or a candidate. Runs in the engine child (the `frames` request of src/engine-host/protocol.ts); the codec runs
// where every candidate runs — encode and decode each in its own sandboxed child. The decoded clip is
// kept per (subject, clip, quality), so scrubbing through frames costs nothing after the first.
import { CancelledError, CodecEvolutionError, throwIfAborted } from '../errors';
import type { Frame, Video } from '../codec/contract';
import type { CandidateRecord } from '../store/records';
import type { Workspace } from '../store/workspace';
import { prepareCandidate } from '../sandbox/validator';
import { runDecode, runEncode } from '../sandbox/runner';
import { configuredLimits } from '../sandbox/limits';
import { readVideo } from '../video/read';

export interface FramesParams {
  /** A clip of the workspace's configuration, by file name with or without its extension, or by path. */
  clip: string;
  frame: number;
  /** 'best' = the latest adopted version; otherwise a candidate id. */
  subject: 'best' | string;
  /** The codec's quality setting; default: the middle RD point the codec reached on that clip. */
  quality?: number;
}

interface Planes {
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
}

export interface FramesResult {
  width: number;
  height: number;
  frameCount: number;
  /** The frame actually returned (the request's, clamped to the clip). */
  frame: number;
  quality: number;
  psnrY: number;
  /** The decoded clip was already held (no encode/decode ran for this request). */
  cached: boolean;
  original: Planes;
  decoded: Planes;
}

interface Decoded {
  original: Video;
  decoded: Frame[];
}
interface Entry {
  promise: Promise<Decoded>;
  controller: AbortController;
  settled: boolean;
  waiters: number;
}

/** A clip's name without folders and container extension: how the view and the records name clips. */
export function clipKey(p: string): string {
  return (p.split(/[\\/]/).pop() ?? p).replace(/\.(y4m|yuv|mp4|mkv|mov|webm|avi)$/i, '');
}

/** The quality of the middle RD point the codec reached on that clip: a representative operating point. */
export function representativeQuality(rec: CandidateRecord | undefined, clip: string): number {
  const scores = [...(rec?.metrics?.training ?? []), ...(rec?.metrics?.heldOut ?? [])];
  const pts = scores.find((s) => clipKey(s.clip) === clipKey(clip))?.points.filter((p) => typeof p.quality === 'number') ?? [];
  if (!pts.length) return 50;
  const sorted = [...pts].sort((a, b) => a.quality! - b.quality!);
  return sorted[Math.floor(sorted.length / 2)].quality!;
}

export function lumaPsnr(a: Uint8Array, b: Uint8Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    se += d * d;
  }
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255 * a.length) / se);
}

/** A copy that owns exactly its bytes: sandbox replies are views into one payload, and a view would
 * carry (or be serialized with) the whole payload behind it. */
function own(a: Uint8Array): Uint8Array {
  const c = new Uint8Array(a.length);
  c.set(a);
  return c;
}

/** How long a decode nobody waits for any more survives (see wait). */
const ABANDON_GRACE_MS = 200;

export class FrameCache {
  private readonly cache = new Map<string, Entry>();
  /** Encode+decode runs so far (each is two sandbox children); tests read it. */
  decodes = 0;

  /** `maxClips` decoded clips are held: enough to flip between the best and a candidate. */
  constructor(
    private readonly ws: () => Workspace,
    private readonly maxClips = 2,
  ) {}

  private codeOf(subject: string): { key: string; code: string; record: CandidateRecord | undefined } {
    const ws = this.ws();
    if (subject !== 'best') return { key: subject, code: ws.candidateCode(subject), record: ws.readCandidate(subject) };
    const v = ws.latestVersion();
    if (!v) throw new CodecEvolutionError('input', 'no version adopted yet', 'run Initialize Workspace');
    const record = v.candidateId ? ws.readCandidate(v.candidateId) : ws.listCandidates().find((r) => r.parentId === null && r.metrics);
    return { key: `v${v.version}`, code: ws.versionCode(v.version), record };
  }

  private clipOf(clip: string): { path: string; frames?: number } {
    const ws = this.ws();
    const cfg = ws.readConfig();
    const c = [...cfg.clips.training, ...cfg.clips.heldOut].find((x) => clipKey(x.path) === clipKey(clip));
    if (!c) throw new CodecEvolutionError('input', `clip ${clip} is not in this workspace's configuration`, 'pick a clip from the list');
    return { path: ws.resolvePath(c.path), frames: c.frames };
  }

  private async decode(code: string, clip: { path: string; frames?: number }, quality: number, signal?: AbortSignal): Promise<Decoded> {
    const cfg = this.ws().readConfig();
    const prepared = prepareCandidate(code, 'codec.js');
    if (!prepared.candidate)
      throw new CodecEvolutionError(
        'candidate',
        `the codec does not validate: ${prepared.diagnostics[0]?.message ?? 'unknown'}`,
        'fix it first (Validate Codec)',
      );
    const original = await readVideo(clip.path, { maxFrames: clip.frames, ffmpegPath: cfg.ffmpegPath, signal });
    throwIfAborted(signal);
    const enc = await runEncode(prepared.candidate, original, quality, { signal, limits: configuredLimits(cfg.limits) });
    if (!enc.ok)
      throw new CodecEvolutionError(
        'candidate',
        `encode failed: ${enc.failure.class}: ${enc.failure.message}`,
        'see the candidate’s failure in the view',
      );
    const dec = await runDecode(
      prepared.candidate,
      enc.bytes,
      { width: original.width, height: original.height, frames: original.frames.length },
      { signal, limits: configuredLimits(cfg.limits), checkDeterminism: false },
    );
    if (!dec.ok)
      throw new CodecEvolutionError(
        'candidate',
        `decode failed: ${dec.failure.class}: ${dec.failure.message}`,
        'see the candidate’s failure in the view',
      );
    return { original, decoded: dec.video.frames };
  }

  async frames(p: FramesParams, signal?: AbortSignal): Promise<FramesResult> {
    throwIfAborted(signal);
    const { key, code, record } = this.codeOf(p.subject);
    const clip = this.clipOf(p.clip);
    const quality = p.quality ?? representativeQuality(record, p.clip);
    const cacheKey = `${key}|${clipKey(p.clip)}|${quality}`;
    let entry = this.cache.get(cacheKey);
    const cached = !!entry;
    if (!entry) {
      this.decodes++;
      // The decode is shared by every request for this clip, so it runs on its own signal: a cancelled
      // request stops waiting, and the decode ends (sandbox children killed) once nobody waits for it.
      const controller = new AbortController();
      const e: Entry = { promise: this.decode(code, clip, quality, controller.signal), controller, settled: false, waiters: 0 };
      e.promise.then(
        () => {
          e.settled = true;
        },
        () => {
          e.settled = true;
          if (this.cache.get(cacheKey) === e) this.cache.delete(cacheKey);
        },
      );
      this.cache.set(cacheKey, e);
      while (this.cache.size > this.maxClips) this.cache.delete(this.cache.keys().next().value as string);
      entry = e;
    }
    const d = await this.wait(cacheKey, entry, signal);
    const n = Math.max(0, Math.min(d.original.frames.length - 1, Math.floor(p.frame)));
    const o = d.original.frames[n],
      x = d.decoded[n];
    return {
      width: d.original.width,
      height: d.original.height,
      frameCount: d.original.frames.length,
      frame: n,
      quality,
      cached,
      psnrY: lumaPsnr(o.y, x.y),
      original: { y: own(o.y), u: own(o.u), v: own(o.v) },
      decoded: { y: own(x.y), u: own(x.u), v: own(x.v) },
    };
  }

  private async wait(key: string, e: Entry, signal?: AbortSignal): Promise<Decoded> {
    e.waiters++;
    let onAbort: (() => void) | undefined;
    try {
      if (!signal) return await e.promise;
      return await Promise.race([
        e.promise,
        new Promise<never>((_res, rej) => {
          onAbort = () => rej(new CancelledError());
          if (signal.aborted) onAbort();
          else signal.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
    } finally {
      e.waiters--;
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      // A host that moves on to the next frame may cancel the previous request just before asking for
      // the next one: the decode is ended only if nobody asked for it again within a moment.
      if (signal?.aborted && e.waiters === 0 && !e.settled) {
        setTimeout(() => {
          if (e.waiters > 0 || e.settled) return;
          e.controller.abort();
          if (this.cache.get(key) === e) this.cache.delete(key);
        }, ABANDON_GRACE_MS);
      }
    }
  }

  /** Ends every decode in progress (their sandbox children are killed) and forgets all clips. */
  clear(): void {
    for (const e of this.cache.values()) if (!e.settled) e.controller.abort();
    this.cache.clear();
  }
}

// The dashboard's frame viewer: original and decoded frame N of a clip for the best version or a
// candidate. The codec runs where every candidate runs — encode and decode each in its own sandboxed
// child (src/core/sandbox/runner.ts); this host only reads the clip and moves bytes. The decoded
// clip is kept per (codec, clip), so scrubbing through frames costs nothing after the first.
// (When host-protocol.ts gains a `frames` request this moves into the engine child unchanged.)
import { CodecEvolutionError } from '../core/errors';
import type { Video } from '../core/codec/contract';
import type { CandidateRecord } from '../core/store/records';
import type { Workspace } from '../core/store/workspace';
import type { FrameSubject, PlanesView } from '../../webview/protocol';
import { clipKey } from './view-model';

export interface FramesResult { width: number; height: number; frameCount: number; original: PlanesView; decoded: PlanesView; psnrY: number; quality: number }

interface Decoded { original: Video; decoded: Array<{ y: Uint8Array; u: Uint8Array; v: Uint8Array }>; quality: number }

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
  for (let i = 0; i < a.length; i++) { const d = a[i] - b[i]; se += d * d; }
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255 * a.length) / se);
}

export class FrameSource {
  private cache = new Map<string, Promise<Decoded>>();
  /** Encode+decode runs so far (each is two sandbox children); the log and tests read it. */
  decodes = 0;

  constructor(private readonly ws: () => Workspace, private readonly records: () => CandidateRecord[]) {}

  private codeOf(subject: FrameSubject): { key: string; code: string; record: CandidateRecord | undefined } {
    const ws = this.ws();
    if (subject.kind === 'candidate') return { key: subject.id, code: ws.candidateCode(subject.id), record: this.records().find((r) => r.id === subject.id) };
    const v = ws.latestVersion();
    if (!v) throw new CodecEvolutionError('input', 'no version adopted yet', 'run Initialize Workspace');
    const record = this.records().find((r) => (v.candidateId ? r.id === v.candidateId : r.parentId === null && r.metrics));
    return { key: `v${v.version}`, code: ws.versionCode(v.version), record };
  }

  private clipPath(clip: string): { path: string; frames?: number } {
    const ws = this.ws();
    const cfg = ws.readConfig();
    const c = [...cfg.clips.training, ...cfg.clips.heldOut].find((x) => clipKey(x.path) === clipKey(clip));
    if (!c) throw new CodecEvolutionError('input', `clip ${clip} is not in this workspace's configuration`, 'pick a clip from the list');
    return { path: ws.resolvePath(c.path), frames: c.frames };
  }

  private async decode(code: string, clip: { path: string; frames?: number }, quality: number, signal?: AbortSignal): Promise<Decoded> {
    // Loaded on first use: none of this is needed for activation.
    const { prepareCandidate } = require('../core/sandbox/validator') as typeof import('../core/sandbox/validator');
    const { runEncode, runDecode } = require('../core/sandbox/runner') as typeof import('../core/sandbox/runner');
    const { readVideo } = require('../core/video/read') as typeof import('../core/video/read');
    const prepared = prepareCandidate(code, 'codec.js');
    if (!prepared.candidate) throw new CodecEvolutionError('candidate', `the codec does not validate: ${prepared.diagnostics[0]?.message ?? 'unknown'}`, 'fix it first (Validate Codec)');
    const original = await readVideo(clip.path, { maxFrames: clip.frames });
    const enc = await runEncode(prepared.candidate, original, quality, { signal });
    if (!enc.ok) throw new CodecEvolutionError('candidate', `encode failed: ${enc.failure.class}: ${enc.failure.message}`, 'see the candidate’s failure in the view');
    const dec = await runDecode(prepared.candidate, enc.bytes, { width: original.width, height: original.height, frames: original.frames.length }, { signal, checkDeterminism: false });
    if (!dec.ok) throw new CodecEvolutionError('candidate', `decode failed: ${dec.failure.class}: ${dec.failure.message}`, 'see the candidate’s failure in the view');
    return { original, decoded: dec.video.frames, quality };
  }

  async frame(clip: string, index: number, subject: FrameSubject, signal?: AbortSignal): Promise<FramesResult> {
    const { key, code, record } = this.codeOf(subject);
    const quality = representativeQuality(record, clip);
    const cacheKey = `${key}|${clipKey(clip)}|${quality}`;
    let p = this.cache.get(cacheKey);
    if (!p) {
      this.decodes++;
      p = this.decode(code, this.clipPath(clip), quality, signal);
      this.cache.set(cacheKey, p);
      p.catch(() => this.cache.delete(cacheKey));
      // Two decoded clips at most: enough to flip between best and one candidate.
      while (this.cache.size > 2) this.cache.delete(this.cache.keys().next().value as string);
    }
    const d = await p;
    const n = Math.max(0, Math.min(d.original.frames.length - 1, Math.floor(index)));
    const o = d.original.frames[n], x = d.decoded[n];
    const w = d.original.width, h = d.original.height;
    // Standalone copies: the decoded planes are Buffer views into one payload (Buffer#slice would
    // still be a view), and the webview channel serializes a view's whole underlying memory wrongly.
    const own = (a: Uint8Array): Uint8Array => { const c = new Uint8Array(a.length); c.set(a); return c; };
    const planes = (f: { y: Uint8Array; u: Uint8Array; v: Uint8Array }): PlanesView => ({ width: w, height: h, y: own(f.y), u: own(f.u), v: own(f.v) });
    return { width: w, height: h, frameCount: d.original.frames.length, original: planes(o), decoded: planes(x), psnrY: lumaPsnr(o.y, x.y), quality: d.quality };
  }

  clear(): void { this.cache.clear(); }
}

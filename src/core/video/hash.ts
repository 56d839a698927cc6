// A clip's identity for caches: the hash of its decoded samples and geometry, so the same frames
// in a different container (or a rewritten Y4M header) still hit the cache, and any changed pixel misses.
import { createHash } from 'node:crypto';
import type { Video } from '../codec/contract';

export function videoHash(video: Video): string {
  const h = createHash('sha256');
  h.update(`${video.width}x${video.height}@${video.fpsNum}/${video.fpsDen}:${video.frames.length}\n`);
  for (const f of video.frames) {
    h.update(f.y);
    h.update(f.u);
    h.update(f.v);
  }
  return h.digest('hex');
}

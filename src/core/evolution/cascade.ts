// Adapts the sandbox's evaluateCandidate to the engine's stages. The references run once per clip
// (cached in .codec-evolution/baseline-cache); the smoke stage is one point on two frames.
import { evaluateCandidate, type ClipEvaluation } from '../harness/evaluate';
import type { ReferenceCodec } from '../baseline/reference';
import type { WorkspaceConfig } from '../store/config';
import type { ClipScore } from '../store/records';
import type { Workspace } from '../store/workspace';
import type { Evaluator } from './evaluator';

export function toClipScore(c: ClipEvaluation): ClipScore {
  const references: ClipScore['references'] = {};
  for (const [k, pts] of Object.entries(c.references)) references[k] = [...(pts ?? [])];
  return { clip: c.name, bdRate: structuredClone(c.bdRate), points: [...c.points], references };
}

export const SMOKE_QUALITIES = [50];

export function createEvaluator(ws: Workspace, config: WorkspaceConfig, signal?: AbortSignal): Evaluator {
  return async (source, req) => {
    const r = await evaluateCandidate(source, {
      clips: req.clips.map((c) => ({ path: c.path, ...(c.frames ? { frames: c.frames } : {}) })),
      references: req.references as ReferenceCodec[],
      qualities: req.stage === 'smoke' ? SMOKE_QUALITIES : req.qualities,
      limits: config.limits,
      maxLiteralBytes: config.limits?.maxLiteralBytes,
      ffmpeg: config.ffmpegPath,
      cacheDir: ws.baselineCacheDir,
      signal: req.signal ?? signal,
      // Determinism is checked once per candidate, in the smoke stage, to keep evaluations cheap.
      determinism: req.stage === 'smoke' ? 'first' : 'off',
      filename: req.filename ?? 'codec.js',
    });
    if (!r.ok) {
      const f = r.failure;
      const where = [f.stage && f.stage !== 'validate' ? `in ${f.stage}` : '', f.clip ? `on ${f.clip}` : '', f.quality !== undefined ? `at quality ${f.quality}` : ''].filter(Boolean).join(' ');
      return { ok: false, failure: { class: f.class, message: where ? `${f.message} (${where})` : f.message, line: f.line, column: f.column } };
    }
    return { ok: true, clips: r.clips.map(toClipScore) };
  };
}

// Adapts the sandbox's evaluateCandidate to the engine's stages. The references run once per clip
// (cached in .codec-evolution/baseline-cache); the smoke stage is one point on two frames.
import { evaluateCandidate, type ClipEvaluation, type ClipSource } from '../harness/evaluate';
import type { ReferenceCodec, SharedReferenceCache } from '../baseline/reference';
import { configuredLimits } from '../sandbox/limits';
import type { WorkspaceConfig } from '../store/config';
import type { ClipScore } from '../store/records';
import type { Workspace } from '../store/workspace';
import type { Evaluator, StageRequest, StageResult } from './evaluator';

function toClipScore(c: ClipEvaluation): ClipScore {
  const references: ClipScore['references'] = {};
  for (const [k, pts] of Object.entries(c.references)) references[k] = [...(pts ?? [])];
  return { clip: c.name, bdRate: structuredClone(c.bdRate), points: [...c.points], references };
}

const SMOKE_QUALITIES = [50];

export interface StageRunOptions {
  references: string[];
  qualities?: number[];
  limits?: WorkspaceConfig['limits'];
  ffmpeg?: string;
  cacheDir: string;
  signal?: AbortSignal;
  filename?: string;
  /** A second tier for reference results (a queue's Redis), under the same keys as the disk cache. */
  sharedReferences?: SharedReferenceCache;
}

/** One cascade stage on clips given by path or as frames: what the local pool and a queue worker both run. */
export async function runStage(
  source: string,
  stage: StageRequest['stage'],
  clips: ClipSource[],
  o: StageRunOptions,
): Promise<StageResult> {
  const r = await evaluateCandidate(source, {
    clips,
    references: o.references as ReferenceCodec[],
    qualities: stage === 'smoke' ? SMOKE_QUALITIES : o.qualities,
    limits: configuredLimits(o.limits),
    maxLiteralBytes: o.limits?.maxLiteralBytes,
    ffmpeg: o.ffmpeg,
    cacheDir: o.cacheDir,
    ...(o.sharedReferences ? { sharedReferences: o.sharedReferences } : {}),
    signal: o.signal,
    // Determinism is checked once per candidate, in the smoke stage, to keep evaluations cheap.
    determinism: stage === 'smoke' ? 'first' : 'off',
    filename: o.filename ?? 'codec.js',
  });
  if (!r.ok) {
    const f = r.failure;
    const where = [
      f.stage && f.stage !== 'validate' ? `in ${f.stage}` : '',
      f.clip ? `on ${f.clip}` : '',
      f.quality !== undefined ? `at quality ${f.quality}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    return {
      ok: false,
      failure: { class: f.class, message: where ? `${f.message} (${where})` : f.message, line: f.line, column: f.column },
    };
  }
  return { ok: true, clips: r.clips.map(toClipScore) };
}

export function createEvaluator(ws: Workspace, config: WorkspaceConfig, signal?: AbortSignal): Evaluator {
  return (source, req) =>
    runStage(
      source,
      req.stage,
      req.clips.map((c) => ({
        path: c.path,
        ...(c.frames ? { frames: c.frames } : {}),
        ...(c.timeoutMs ? { timeoutMs: c.timeoutMs } : {}),
      })),
      {
        references: req.references,
        qualities: req.qualities,
        limits: config.limits,
        ffmpeg: config.ffmpegPath,
        cacheDir: ws.baselineCacheDir,
        signal: req.signal ?? signal,
        filename: req.filename,
      },
    );
}

import { strict as assert } from 'node:assert';
import {
  buildViewState,
  evaluationView,
  failureCounts,
  generationHistory,
  pickDescription,
  type EngineSnapshot,
  type HostFacts,
} from '../../src/extension/view-model';
import { blocksLensText, candidateLensText, hypothesisLensText } from '../../src/extension/codelens-text';
import { engineOverrides, secretFor } from '../../src/extension/settings';
import { parseReviewPath, reviewPath } from '../../src/extension/review-uri';
import { statusText } from '../../src/extension/status-bar-text';
import { bdRateMeaning, dispatch, formatBdRate, message, type HostMessages, type ViewMessages } from '../../webview/protocol';
import type { CandidateRecord, VersionRecord } from '../../src/core/store/records';

function cand(id: string, generation: number, over: Partial<CandidateRecord> = {}, bd?: number): CandidateRecord {
  return {
    id,
    generation,
    slot: 0,
    island: 0,
    parentId: generation === 0 ? null : 'v0001-root',
    inspirationIds: [],
    state: bd === undefined ? 'failed' : 'evaluated',
    createdAt: '2026-11-21T20:00:00.000Z',
    updatedAt: '2026-11-21T20:00:00.000Z',
    provider: 'offline',
    strategy: 'refine',
    hypothesis: `h ${id}`,
    tokens: { input: 0, output: 0 },
    costUsd: 0,
    repairRounds: 0,
    metrics:
      bd === undefined
        ? undefined
        : {
            objective: 'psnrYuv',
            trainingBdRate: bd,
            smokeOk: true,
            encodeMs: 100 + generation,
            decodeMs: 40,
            evaluationMs: 500,
            training: [
              {
                clip: 'talking',
                bdRate: { psnrYuv: { x264: bd, x265: bd + 20 }, psnrY: { x264: bd - 1 }, psnrU: { x264: bd + 3 } },
                points: [
                  { quality: 30, bytes: 1000, kbps: 100, metrics: { psnrY: 31, psnrYuv: 32 }, encodeMs: 10, decodeMs: 5 },
                  { quality: 60, bytes: 2000, kbps: 200, metrics: { psnrY: 35, psnrYuv: 36 }, encodeMs: 12, decodeMs: 6 },
                ],
              },
            ],
          },
    ...over,
  };
}
const version = (v: number, candidateId: string | null, bd: number): VersionRecord => ({
  version: v,
  candidateId,
  time: `2026-11-21T20:0${v}:00.000Z`,
  trainingBdRate: bd,
  parentVersion: v > 1 ? v - 1 : null,
  message: `v${v}`,
});
const facts = (over: Partial<HostFacts> = {}): HostFacts => ({
  seq: 1,
  trusted: true,
  hasFolder: true,
  running: false,
  runMinutes: 0,
  lastError: null,
  ...over,
});

function snapshot(): EngineSnapshot {
  const candidates = [
    cand('v0001-root', 0, {}, 60),
    cand('g0001-0', 1, {}, 55),
    cand('g0001-1', 1, { failure: { class: 'runtime', message: 'TypeError at 3:4' } }),
    cand('g0002-0', 2, { state: 'pending-review', parentBdRate: 55 }, 48),
    cand('g0002-1', 2, { failure: { class: 'runtime', message: 'RangeError' } }),
    cand('g0002-2', 2, { failure: { class: 'edit-failed', message: 'SEARCH not found' } }),
    cand('g0003-0', 3, { state: 'pending-review', parentBdRate: 55 }, 44),
  ];
  candidates[1].state = 'adopted';
  return {
    initialized: true,
    primaryReference: 'x264',
    references: ['x264', 'x265'],
    budgets: { generations: 30, usd: 0 },
    status: { generation: 3, spentUsd: 0.25 },
    candidates,
    versions: [version(1, null, 60), version(2, 'g0001-0', 55)],
    referenceCurves: [
      {
        clip: '/abs/path/talking.y4m',
        codec: 'x264',
        points: [
          { kbps: 80, bytes: 800, metrics: { psnrY: 32 }, encodeMs: 0, decodeMs: 0 },
          { kbps: 160, bytes: 1600, metrics: { psnrY: 36 }, encodeMs: 0, decodeMs: 0 },
        ],
      },
    ],
  };
}

describe('extension view model', () => {
  it('the Accept picker compares a candidate with the adopted version, not its parent (issue 13.16)', () => {
    const s = { primaryReference: 'x264', best: { version: 3, candidateId: 'g0004-0', bdRate: { x264: 12.5 }, bdRates: {} } } as never;
    assert.equal(pickDescription(10, s), 'BD-rate vs x264 +10.0 %; adopted v3 +12.5 % (−2.5 pts)');
    assert.equal(pickDescription(null, { primaryReference: 'x264', best: null } as never), 'BD-rate vs x264 —');
  });

  it('BD-rate says its sign and what it means (issue 13.17)', () => {
    assert.equal(bdRateMeaning('x264', 14), '+14.0 % = 14.0 % more bits than x264 for the same quality');
    assert.equal(bdRateMeaning('x264', -3.25, 'PSNR-YUV'), '−3.3 % = 3.3 % fewer bits than x264 for the same quality (PSNR-YUV)');
    assert.match(bdRateMeaning('x265', null), /\+ = more bits than x265 .* − = fewer bits \(better\)/);
    assert.equal(formatBdRate(0.01), '0.0 %');
  });

  it('builds the state the views render from engine records', () => {
    const s = buildViewState(snapshot(), facts());
    assert.equal(s.initialized, true);
    assert.equal(s.generation, 3);
    assert.deepEqual(
      s.best,
      { version: 2, candidateId: 'g0001-0', bdRate: { x264: 55, x265: 75 }, bdRates: { psnrY: 54, psnrU: 58, psnrYuv: 55 } },
      'bdRate: the objective (PSNR-YUV) per reference; bdRates: every metric against the primary reference',
    );
    assert.deepEqual(s.objective, { metric: 'psnrYuv', label: 'PSNR-YUV' });
    // The RD plots draw the objective, and the state says which metric with its axis title.
    assert.deepEqual(s.rdMetric, { metric: 'psnrYuv', label: 'PSNR-YUV', axis: 'PSNR-YUV (dB)' });
    assert.deepEqual(
      s.clips[0].curves.find((c) => c.kind === 'best')!.points.map((p) => p.metrics?.psnrYuv),
      [32, 36],
    );
    assert.deepEqual(buildViewState({ ...snapshot(), objective: 'ssimY' }, facts()).rdMetric, {
      metric: 'ssimY',
      label: 'SSIM-Y',
      axis: 'SSIM-Y',
    });
    assert.deepEqual(buildViewState({ ...snapshot(), objective: 'vmaf' }, facts()).rdMetric, {
      metric: 'vmaf',
      label: 'VMAF',
      axis: 'VMAF',
    });
    assert.deepEqual(
      s.guards.map((g) => [g.label, g.tolerancePercent]),
      [
        ['PSNR-Y', 1],
        ['PSNR-U', 1],
        ['PSNR-V', 1],
        ['SSIM-Y', 1],
      ],
    );
    assert.deepEqual(s.clips[0].bdRates.psnrU, { x264: 58, x265: null });
    assert.equal(s.clips[0].curves[0].points[0].metrics!.psnrYuv, 32);
    assert.deepEqual(
      s.queue.map((q) => q.id),
      ['g0003-0', 'g0002-0'],
      'queue sorted best BD-rate first',
    );
    assert.equal(s.queue[0].parentBdRate, 55);
    assert.deepEqual(
      s.versions.map((v) => [v.version, v.bdRate]),
      [
        [1, 60],
        [2, 55],
      ],
    );
    assert.equal(s.budget.generations.limit, 30);
    assert.equal(s.budget.usd.limit, null, 'a 0 budget means no limit');
    assert.equal(s.clips.length, 1);
    assert.equal(s.clips[0].clip, 'talking');
    assert.deepEqual(
      s.clips[0].curves.map((c) => [c.label, c.kind, c.points.length]),
      [
        ['v2', 'best', 2],
        ['g0003-0', 'candidate', 2],
        ['x264', 'reference', 2],
      ],
      'the first queued candidate beside the best; reference curves (named by path) match the engine’s clip names (file name without extension)',
    );
    assert.match(s.status, /idle · 2 candidates waiting for review/);
    assert.equal(s.blockedReason, null);
  });

  it("shows the evaluation queue's workers and depth while a loop uses one, nothing without one", () => {
    assert.equal(buildViewState(snapshot(), facts({ running: true })).workers, null);
    const q = buildViewState(
      snapshot(),
      facts({
        running: true,
        queue: {
          url: 'redis://:***@h:6379',
          connected: true,
          waiting: 4,
          active: 1,
          workers: [{ host: 'box', id: '12-ab', concurrency: 2, busy: 1 }],
        },
      }),
    ).workers;
    assert.deepEqual(q, {
      url: 'redis://:***@h:6379',
      connected: true,
      workers: [{ name: 'box/12-ab', busy: 1, concurrency: 2 }],
      waiting: 4,
      active: 1,
    });
  });

  it('says why nothing runs in Restricted Mode and without a folder', () => {
    assert.match(buildViewState(snapshot(), facts({ trusted: false })).blockedReason ?? '', /Restricted Mode/);
    const none = buildViewState({ initialized: false, candidates: [], versions: [], referenceCurves: [] }, facts({ hasFolder: false }));
    assert.match(none.blockedReason ?? '', /Open a folder/);
    assert.equal(none.best, null);
  });

  it('says "loading" until the first snapshot arrives, instead of showing an empty workspace', () => {
    const empty: EngineSnapshot = { initialized: true, candidates: [], versions: [], referenceCurves: [] };
    const loading = buildViewState(empty, facts({ loading: true }));
    assert.equal(loading.loading, true);
    assert.match(loading.status, /loading/);
    assert.equal(buildViewState(snapshot(), facts()).loading, false);
  });

  it('reference curves fall back to the points stored with the best record when no baseline ran', () => {
    const s = snapshot();
    s.referenceCurves = [];
    // Stored in the shape records had before the metric registry (flat psnrY): still drawn.
    s.candidates[1].metrics!.training[0].references = {
      x264: [
        { kbps: 90, psnrY: 32.5, setting: 'crf=30' },
        { kbps: 170, psnrY: 36.5, setting: 'crf=25' },
      ] as never,
      x265: [],
    };
    const v = buildViewState(s, facts({ trusted: false }));
    assert.deepEqual(
      v.clips[0].curves.filter((c) => c.kind === 'reference').map((c) => [c.label, c.points.map((p) => p.kbps)]),
      [['x264', [90, 170]]],
      'the stored x264 points make the curve; an empty list draws nothing',
    );
    s.referenceCurves = snapshot().referenceCurves;
    assert.deepEqual(
      buildViewState(s, facts())
        .clips[0].curves.filter((c) => c.kind === 'reference')
        .map((c) => c.points.map((p) => p.kbps)),
      [[80, 160]],
      'a baseline run of the same codec wins over the stored points',
    );
  });

  it('history: best candidate per generation and the adopted best as a step', () => {
    const s = snapshot();
    assert.deepEqual(generationHistory(s.candidates, s.versions), [
      { generation: 0, candidate: 60, best: 60 },
      { generation: 1, candidate: 55, best: 55 },
      { generation: 2, candidate: 48, best: 55 },
      { generation: 3, candidate: 44, best: 55 },
    ]);
  });

  it('failure breakdown counts by class, commonest first', () => {
    assert.deepEqual(failureCounts(snapshot().candidates), [
      { class: 'runtime', count: 2, example: 'TypeError at 3:4' },
      { class: 'edit-failed', count: 1, example: 'SEARCH not found' },
    ]);
  });

  it('evaluation view: a failure carries file:line:col, a success its curves', () => {
    const bad = evaluationView(
      'codec.js',
      { ok: false, failure: { class: 'forbidden', message: "global 'eval' is refused", line: 12, column: 5 } },
      [],
      ['x264'],
    );
    assert.equal(bad.message, "forbidden: codec.js:12:5: global 'eval' is refused");
    const good = evaluationView(
      'codec.js',
      {
        ok: true,
        clips: [
          {
            clip: 'talking',
            bdRate: { psnrYuv: { x264: 12.5 }, psnrY: { x264: 10 } },
            points: cand('x', 1, {}, 1).metrics!.training[0].points,
          },
        ],
      },
      snapshot().referenceCurves,
      ['x264'],
    );
    assert.equal(good.ok, true);
    assert.deepEqual(
      good.clips[0].curves.map((c) => c.kind),
      ['candidate', 'reference'],
    );
    assert.equal(good.clips[0].bdRate.x264, 12.5);
  });

  it('CodeLens text puts the candidate against its parent', () => {
    const s = snapshot();
    const c = s.candidates.find((x) => x.id === 'g0003-0')!;
    const text = candidateLensText(c, s.candidates[0], 'x264');
    assert.equal(
      text,
      'g0003-0: BD-rate vs x264 +44.0 % (−16.0 pts better), parent +60.0 % · encode 103 ms (parent 100 ms), decode 40 ms (parent 40 ms)',
    );
    assert.match(
      candidateLensText(c, undefined, 'x264'),
      /\(−11\.0 pts better\), parent \+55\.0 %/,
      'falls back to the recorded parent BD-rate',
    );
    assert.equal(hypothesisLensText({ ...c, hypothesis: '  raise\n the lambda ' }), 'Hypothesis: raise the lambda');
    assert.equal(
      hypothesisLensText({ ...c, hypothesis: 'B-frames', directiveIds: ['d1', 'd3'] }),
      'Hypothesis: B-frames · answering d1, d3',
      'the directives its prompt quoted',
    );
    const base =
      'export const meta = {};\n// EVOLVE-BLOCK-START search\nconst R = 8;\n// EVOLVE-BLOCK-END\n// EVOLVE-BLOCK-START filter\nconst F = 1;\n// EVOLVE-BLOCK-END\n';
    assert.equal(
      blocksLensText(base, base.replace('R = 8', 'R = 16'), 'filter'),
      'Blocks changed: search (focus was filter)',
      'the review names the blocks the diff touches',
    );
  });

  it('formats BD-rate with a real minus sign', () => {
    assert.equal(formatBdRate(-3.14159), '−3.1 %');
    assert.equal(formatBdRate(2), '+2.0 %');
    assert.equal(formatBdRate(null), '—');
    assert.equal(formatBdRate(NaN), '—');
  });

  it('status bar text: generation, best BD-rate, queue size', () => {
    assert.equal(statusText(buildViewState(snapshot(), facts())), '$(pulse) Gen 3 · x264 +55.0 % · $(diff) 2');
    assert.match(statusText(buildViewState(snapshot(), facts({ running: true }))), /^\$\(sync~spin\) Gen 3/);
  });
});

describe('extension settings → engine overrides', () => {
  it('passes only values a person set', () => {
    const set: Record<string, unknown> = {
      provider: 'anthropic',
      'anthropic.baseUrl': 'http://127.0.0.1:9',
      'budget.usd': 2,
      'sandbox.timeoutSeconds': 1.5,
      'sandbox.maxOutputMb': 2,
      referenceCodecs: ['x265'],
      adoptionPolicy: 'auto',
      'git.commitOnAdopt': false,
      promptTokenBudget: 30000,
    };
    const o = engineOverrides(<T>(k: string) => set[k] as T | undefined);
    assert.deepEqual(o, {
      provider: 'anthropic',
      baseUrl: 'http://127.0.0.1:9',
      budgets: { usd: 2 },
      config: {
        references: ['x265'],
        adoptionPolicy: 'auto',
        gitCommit: false,
        promptTokenBudget: 30000,
        limits: { timeoutMs: 1500, maxOutputBytes: 2 * 1024 * 1024 },
      },
    });
    assert.deepEqual(
      engineOverrides(() => undefined),
      {},
    );
  });
  it('names the secret each provider needs; offline and vscode.lm need none', () => {
    assert.deepEqual(secretFor('anthropic'), { secret: 'codecEvolution.anthropicApiKey', env: 'ANTHROPIC_API_KEY', required: true });
    assert.equal(secretFor('offline'), null);
    assert.equal(secretFor('vscode-lm'), null);
  });
});

describe('review documents and the webview protocol', () => {
  it('review URIs round-trip and refuse anything else', () => {
    for (const d of [
      { kind: 'candidate', id: 'g0003-1' },
      { kind: 'parent', id: 'g0003-1' },
      { kind: 'version', version: 4 },
    ] as const) {
      assert.deepEqual(parseReviewPath(reviewPath(d)), d);
    }
    assert.equal(parseReviewPath('/version/0/codec.js'), null);
    assert.equal(parseReviewPath('/etc/passwd'), null);
  });

  it('dispatch runs the typed handler and refuses unknown messages', () => {
    const seen: string[] = [];
    const handlers = {
      ready: (m: { view: string }) => {
        seen.push(`ready ${m.view}`);
      },
      command: (m: { command: string }) => {
        seen.push(`command ${m.command}`);
      },
      review: (m: { candidateId: string }) => {
        seen.push(`review ${m.candidateId}`);
      },
      compare: (m: { version: number }) => {
        seen.push(`compare ${m.version}`);
      },
      requestFrames: () => {
        seen.push('frames');
      },
      addDirective: (m: { text: string }) => {
        seen.push(`steer ${m.text}`);
      },
      removeDirective: (m: { id: string }) => {
        seen.push(`clear ${m.id}`);
      },
    };
    assert.equal(dispatch<ViewMessages>(handlers, message<ViewMessages, 'review'>('review', { candidateId: 'g1' })), true);
    assert.equal(dispatch<ViewMessages>(handlers, { type: 'compare', version: 3 }), true);
    assert.equal(dispatch<ViewMessages>(handlers, { type: 'toString' }), false, 'prototype names are not messages');
    assert.equal(dispatch<ViewMessages>(handlers, { type: 'evil' }), false);
    assert.equal(dispatch<ViewMessages>(handlers, null), false);
    assert.equal(dispatch<ViewMessages>(handlers, message<ViewMessages, 'removeDirective'>('removeDirective', { id: 'd2' })), true);
    assert.deepEqual(seen, ['review g1', 'compare 3', 'clear d2']);
    const m = message<HostMessages, 'framesFailed'>('framesFailed', { requestId: 1, message: 'x' });
    assert.deepEqual(m, { type: 'framesFailed', requestId: 1, message: 'x' });
  });
});

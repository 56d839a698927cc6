// The facts a question gets (pure, over hand-made records), and the ask prompt a model receives.
import { strict as assert } from 'node:assert';
import { buildFacts, candidateSection, mentionedCandidates, renderFacts, selectFacts, type RunData } from '../../src/core/evolution/facts';
import { askModel, ASK_SYSTEM } from '../../src/core/evolution/ask';
import { buildPrompt } from '../../src/core/evolution/prompts';
import type { CandidateFailure, CandidateRecord } from '../../src/core/store/records';
import type { CompletionRequest, LlmProvider } from '../../src/core/llm/provider';

function rec(id: string, generation: number, over: Partial<CandidateRecord> = {}): CandidateRecord {
  return {
    id,
    generation,
    slot: Number(id.split('-')[1] ?? 0),
    island: 0,
    parentId: generation ? 'v0001-root' : null,
    inspirationIds: [],
    state: 'evaluated',
    createdAt: '',
    updatedAt: '',
    provider: 'anthropic',
    strategy: 'refine',
    hypothesis: `idea of ${id}`,
    tokens: { input: 10, output: 5 },
    costUsd: 0.001,
    repairRounds: 0,
    ...over,
  };
}
const metrics = (bd: number) => ({
  trainingBdRate: bd,
  training: [
    {
      clip: 'tree',
      bdRate: { psnrYuv: { x264: bd } },
      points: [{ bytes: 100, kbps: 10, metrics: { psnrY: 30 }, encodeMs: 5, decodeMs: 2 }],
    },
  ],
  smokeOk: true,
  encodeMs: 5,
  decodeMs: 2,
  evaluationMs: 9,
});
const fail = (cls: CandidateFailure['class'], message: string, stage: 'smoke' | 'edit' = 'smoke') => ({
  state: 'failed' as const,
  failure: { class: cls, message, stage },
});

const data: RunData = {
  primaryReference: 'x264',
  objective: 'psnrYuv',
  guards: [
    { metric: 'psnrY', tolerancePercent: 1 },
    { metric: 'ssimY', tolerancePercent: 2 },
  ],
  candidates: [
    rec('v0001-root', 0, { metrics: metrics(20), parentId: null }),
    rec('g0001-0', 1, { metrics: metrics(18), state: 'pending-review', parentBdRate: 20, directiveIds: ['d1'] }),
    rec('g0002-0', 2, fail('runtime', 'TypeError: x is undefined\n  at encode')),
    rec('g0003-0', 3, fail('runtime', 'TypeError: x is undefined')),
    rec('g0004-0', 4, fail('edit-failed', 'SEARCH text not found', 'edit')),
    rec('g0005-0', 5, { metrics: metrics(19), directiveIds: ['d1'] }),
  ],
  versions: [{ version: 1, candidateId: null, time: 't', trainingBdRate: 20, objective: 'psnrYuv', parentVersion: null, message: 'seed' }],
  directives: [
    { id: 'd1', text: 'try B-frames', block: 'motion', createdAt: 't', by: 'cli' },
    { id: 'd0', text: 'old', createdAt: 't', by: 'cli', clearedAt: 't2' },
  ],
  status: { running: false, strategy: 'refine' },
  diffs: { 'g0001-0': '--- v0001-root/code.js\n+++ g0001-0/code.js\n-const A = 1;\n+const A = 2;' },
};
const ids = data.candidates.map((c) => c.id);

describe('facts: what a question about the run is answered from', () => {
  it('finds the candidates a question names, also in short form, and only known ones', () => {
    assert.deepEqual(mentionedCandidates('compare g1-0 with g0005-0 and g9-9 (and v0001-root)', ids), ['g0001-0', 'g0005-0', 'v0001-root']);
  });

  it('selects topics by the question\'s words and reads "last ten" as the window', () => {
    const s = selectFacts('Why did the last ten candidates fail?', ids);
    assert.deepEqual(s.topics, ['run', 'directives', 'failures', 'recent']);
    assert.equal(s.window, 10);
    assert.equal(selectFacts('show the last 3', ids).window, 3);
    assert.deepEqual(selectFacts('explain g1-0', ids).topics, ['run', 'directives', 'candidate']);
    assert.deepEqual(selectFacts('what waits for review?', ids).topics, ['run', 'directives', 'queue']);
    assert.deepEqual(
      selectFacts('hello', ids).topics,
      ['run', 'directives', 'recent'],
      'a question with no hint gets the recent candidates',
    );
  });

  it('counts failures by class and stage over the window, with their commonest messages and ids', () => {
    const [failures] = buildFacts(data, { topics: ['failures'], candidateIds: [], window: 4 });
    assert.deepEqual(failures.lines, [
      '3 of the last 4 candidate(s) failed',
      'runtime ×2 (stage smoke ×2; g0002-0, g0003-0)',
      '  "TypeError: x is undefined" ×2',
      'edit-failed ×1 (stage edit ×1; g0004-0)',
      '  "SEARCH text not found"',
      'over the whole run: 3 of 5 failed (runtime ×2, edit-failed ×1)',
    ]);
  });

  it('summarises the run, the directives with what answered them, and progress', () => {
    const [run, dirs, progress] = buildFacts(data, { topics: ['run', 'directives', 'progress'], candidateIds: [], window: 10 });
    assert.equal(run.lines[0], 'not running; 5 generation(s) completed or started, 6 candidates: 3 failed, 2 evaluated, 1 pending-review');
    assert.deepEqual(run.lines.slice(1, 4), [
      'score: BD-rate PSNR-YUV vs x264 on the training clips, lower is better (negative = fewer bits than x264 at equal quality); guards (most a candidate may lose): PSNR-Y 1 pp, SSIM-Y 2 pp',
      'adopted: version 1 (the seed), BD-rate PSNR-YUV vs x264 +20.000 % (more bits than x264 at equal quality)',
      'best candidate measured: g0001-0, BD-rate PSNR-YUV vs x264 +18.000 % (more bits than x264 at equal quality) (pending-review)',
    ]);
    assert.deepEqual(dirs.lines, [
      'd1 [block motion]: "try B-frames" — 2 candidate(s) answered it, best g0001-0 at +18.000 %',
      '1 earlier directive(s) cleared',
    ]);
    assert.deepEqual(progress.lines.slice(0, 3), [
      'generation 0: new best v0001-root at +20.000 %',
      'generation 1: new best g0001-0 at +18.000 %',
      'no new best in the 4 generation(s) since generation 1',
    ]);
  });

  it('explains one candidate: hypothesis, directives answered, numbers, and the diff verbatim', () => {
    const s = candidateSection(data, 'g0001-0');
    assert.equal(s.lines[1], 'hypothesis: idea of g0001-0');
    assert.equal(s.lines[2], 'answering directive(s): d1 "try B-frames"');
    assert.match(s.lines[3], /^measured: training BD-rate vs x264 \+18\.000 % \(parent \+20\.000 %\)/);
    assert.equal(s.code?.lang, 'diff');
    const md = renderFacts([s], { markdown: true, knownIds: ids, link: (id) => `[${id}](command:x?${id})` });
    assert.match(md, /^\*\*Candidate g0001-0\*\*\n- \[g0001-0\]\(command:x\?g0001-0\): pending-review/);
    assert.match(md, /```diff\n--- v0001-root\/code\.js\n\+\+\+ g0001-0\/code\.js/, 'ids inside the diff are not turned into links');
    assert.match(candidateSection(data, 'g0042-0').lines[0], /no candidate 'g0042-0'/);
  });

  it('asks a model with the facts and the question only (a fake model records the request)', async () => {
    let got: CompletionRequest | undefined;
    const fake: LlmProvider = {
      kind: 'fake',
      model: 'fake-1',
      complete: async (req) => {
        got = req;
        return { text: 'runtime errors, twice', model: 'fake-1', usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 0 };
      },
    };
    const q = 'why did the last 4 fail?';
    const facts = renderFacts(buildFacts(data, selectFacts(q, ids)));
    const r = await askModel(fake, q, facts);
    assert.equal(r.text, 'runtime errors, twice');
    assert.equal(got!.system, ASK_SYSTEM);
    assert.equal(got!.messages.length, 1);
    assert.match(got!.messages[0].content, /^Facts from the workspace:\n\n## Run\n/);
    assert.match(got!.messages[0].content, /## Failures\n- 3 of the last 4 candidate\(s\) failed/);
    assert.match(got!.messages[0].content, /\n\nQuestion: why did the last 4 fail\?$/);
    assert.equal(got!.context, undefined, 'no proposal context: the offline mutator is never asked a question');
  });

  it('quotes active directives right before the task in a proposal prompt, and nothing without them', () => {
    const base = {
      parent: { id: 'p', code: 'x' },
      inspirations: [],
      failures: { window: 0, total: 0, failures: 0, byClass: [], guidance: '' },
      rejections: [],
      strategy: 'refine' as const,
      primaryReference: 'x264',
    };
    const withD = buildPrompt({
      ...base,
      directives: [
        { id: 'd1', text: 'try B-frames', block: 'motion' },
        { id: 'd2', text: 'keep chroma' },
      ],
    }).user;
    assert.match(
      withD,
      /## The person supervising this search asks \(follow these; say in HYPOTHESIS which you answer\)\n- \[d1\] \(focus on the EVOLVE-BLOCK named "motion"\) try B-frames\n- \[d2\] keep chroma\n\n## Task/,
    );
    assert.doesNotMatch(buildPrompt(base).user, /supervising/);
  });
});

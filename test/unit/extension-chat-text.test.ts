// What @codec and the language-model tools say: links to candidates, directive parsing, history filters.
import { strict as assert } from 'node:assert';
import { candidateLink, explainTarget, failuresWindow, linkCandidates, parseDirective } from '../../src/extension/chat-text';
import { historySection } from '../../src/core/evolution/facts';
import { directiveViews } from '../../src/extension/view-model';
import type { CandidateRecord } from '../../src/core/store/records';

const rec = (id: string, generation: number, over: Partial<CandidateRecord> = {}): CandidateRecord => ({
  id,
  generation,
  slot: 0,
  island: 0,
  parentId: 'v0001-root',
  inspirationIds: [],
  state: 'evaluated',
  createdAt: '',
  updatedAt: '',
  provider: 'offline',
  strategy: 'refine',
  hypothesis: 'h',
  tokens: { input: 0, output: 0 },
  costUsd: 0,
  repairRounds: 0,
  ...over,
});

describe('chat text: @codec answers and tool results', () => {
  it('links known candidate ids to the review diff, never inside code, and leaves unknown ids alone', () => {
    assert.equal(
      candidateLink('g0001-0'),
      '[g0001-0](command:codecEvolution.openCandidate?%5B%22g0001-0%22%5D "Open the review diff of g0001-0")',
    );
    const out = linkCandidates('g0001-0 beat g0002-0; see `g0001-0` and g0009-9.\n```diff\n+++ g0001-0/code.js\n```', [
      'g0001-0',
      'g0002-0',
    ]);
    assert.equal(
      out,
      `${candidateLink('g0001-0')} beat ${candidateLink('g0002-0')}; see \`g0001-0\` and g0009-9.\n\`\`\`diff\n+++ g0001-0/code.js\n\`\`\``,
    );
  });

  it('reads a block from "block NAME:" or "--block NAME", else the whole text is the directive', () => {
    assert.deepEqual(parseDirective('block motion-search: try a wider range'), { text: 'try a wider range', block: 'motion-search' });
    assert.deepEqual(parseDirective('--block quantise coarser steps'), { text: 'coarser steps', block: 'quantise' });
    assert.deepEqual(parseDirective('  try B-frames next '), { text: 'try B-frames next' });
  });

  it('/explain takes a named candidate, else the fallback; /failures takes a window', () => {
    assert.equal(explainTarget('what about g4-1?', ['g0004-1'], 'g0001-0'), 'g0004-1');
    assert.equal(explainTarget('', ['g0004-1'], 'g0001-0'), 'g0001-0');
    assert.equal(failuresWindow('last 50'), 50);
    assert.equal(failuresWindow(''), 20);
  });

  it('history filters by state, failure class, directive and generation, latest last, with a limit', () => {
    const cs = [
      rec('g0001-0', 1, { state: 'failed', failure: { class: 'runtime', message: 'boom' } }),
      rec('g0002-0', 2, { directiveIds: ['d1'] }),
      rec('g0003-0', 3, { state: 'failed', failure: { class: 'timeout', message: 'slow' }, directiveIds: ['d1'] }),
      rec('g0004-0', 4, { state: 'failed', failure: { class: 'runtime', message: 'boom' } }),
    ];
    const runtime = historySection(cs, { failureClass: 'runtime', limit: 1 });
    assert.equal(runtime.title, 'History (failureClass runtime): 1 of 2 matching');
    assert.deepEqual(runtime.lines, ['g0004-0 failed, no BD-rate, parent v0001-root — runtime: boom']);
    assert.deepEqual(
      historySection(cs, { directiveId: 'd1', state: 'failed' }).lines.map((l) => l.split(' ')[0]),
      ['g0003-0'],
    );
    assert.deepEqual(
      historySection(cs, { sinceGeneration: 3 }).lines.map((l) => l.split(' ')[0]),
      ['g0003-0', 'g0004-0'],
    );
    assert.deepEqual(historySection(cs, { state: 'adopted' }).lines, ['no candidate matches']);
  });

  it('the view lists active directives with how many candidates answered each', () => {
    const cs = [rec('g0001-0', 1, { directiveIds: ['d1'] }), rec('g0002-0', 2, { directiveIds: ['d1', 'd3'] })];
    assert.deepEqual(
      directiveViews(
        [
          { id: 'd1', text: 'a', block: 'motion', createdAt: 't', by: 'cli' },
          { id: 'd2', text: 'b', createdAt: 't', by: 'cli', clearedAt: 't' },
          { id: 'd3', text: 'c', createdAt: 't', by: 'view' },
        ],
        cs,
      ),
      [
        { id: 'd1', text: 'a', block: 'motion', answered: 2 },
        { id: 'd3', text: 'c', block: null, answered: 1 },
      ],
    );
  });
});

// Directives and questions: `steer` reaches the next prompt of a real loop talking to a loopback
// Anthropic server (also mid-run), candidates record what they answered, `--clear` removes it from
// later prompts; `ask` sends the workspace's facts to the model and prints its answer, or prints the
// facts when the provider is offline.
import { strict as assert } from 'node:assert';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { startMockAnthropic, lastUserText, type MessagesRequest, type MockAnthropic, type Reply } from '../helpers/anthropic-server';
import { makeEngineWorkspace } from '../helpers/engine-workspace';
import { addDirective, listDirectives } from '../../src/core/store/directives';
import { ASK_SYSTEM } from '../../src/core/evolution/ask';
import type { Workspace } from '../../src/core/store/workspace';

async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [],
    err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), signal: new AbortController().signal, cwd });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const SR = (search: string, replace: string) => `<<<<<<< SEARCH\n${search}\n=======\n${replace}\n>>>>>>> REPLACE`;

/** A valid edit of the parent's ROUNDING line, so every candidate is evaluated. */
function edit(req: MessagesRequest, value: string): Reply {
  const m = /^const ROUNDING = [^\n]*$/m.exec(lastUserText(req));
  if (!m) throw new Error(`no ROUNDING line in the prompt:\n${lastUserText(req).slice(0, 3000)}`);
  const line = m[0];
  return {
    kind: 'text',
    text: `HYPOTHESIS: rounding ${value}, as the person asked\n\n${SR(line, line.replace(/= [0-9.]+;/, `= ${value};`))}`,
  };
}

describe('steer and ask against a loopback Anthropic server', function () {
  this.timeout(300_000);
  let server: MockAnthropic;
  let ws: Workspace;
  const savedKey = process.env.ANTHROPIC_API_KEY;
  let onRequest: (req: MessagesRequest, n: number) => Reply = () => ({ kind: 'text', text: 'no script' });
  before(async () => {
    server = await startMockAnthropic((req, n) => onRequest(req, n));
    ({ ws } = makeEngineWorkspace('ce-steer-', (c) => {
      c.provider = { kind: 'anthropic', baseUrl: server.baseURL, model: 'claude-sonnet-4-6' };
    }));
    process.env.ANTHROPIC_API_KEY = 'test-key';
  });
  after(async () => {
    if (savedKey === undefined) delete process.env.ANTHROPIC_API_KEY;
    else process.env.ANTHROPIC_API_KEY = savedKey;
    await server?.close();
    if (ws) rmSync(ws.root, { recursive: true, force: true });
  });

  it('a directive given with steer is quoted in the next prompt, recorded by the candidate, and gone after --clear', async () => {
    const added = await cli(ws.root, 'steer', 'try', 'coarser rounding of small coefficients', '--block', 'quantiser');
    assert.equal(added.code, 0, added.err);
    assert.match(added.out, /directive d1 added \(focus: block quantiser\)/);
    const stored = JSON.parse(readFileSync(join(ws.dir, 'directives.json'), 'utf8'));
    assert.equal(stored.schemaVersion, 1);
    assert.deepEqual(
      stored.directives.map((d: { id: string; text: string; block: string; by: string }) => [d.id, d.text, d.block, d.by]),
      [['d1', 'try coarser rounding of small coefficients', 'quantiser', 'cli']],
    );

    // Generation 1 quotes d1; while the model answers it, the person adds d2, which generation 2 quotes.
    let midRun = '';
    onRequest = (req, n) => {
      if (n === 1) midRun = addDirective(ws, { text: 'keep chroma untouched', by: 'chat' }).id;
      return edit(req, n === 1 ? '0.3' : '0.35');
    };
    const first = server.requests.length;
    const ev = await cli(ws.root, 'evolve', '--generations', '2', '--json');
    assert.equal(ev.code, 0, ev.err);
    const [p1, p2] = server.requests.slice(first).map(lastUserText);
    assert.match(
      p1,
      /## The person supervising this search asks[^\n]*\n- \[d1\] \(focus on the EVOLVE-BLOCK named "quantiser"\) try coarser rounding of small coefficients/,
    );
    // A directive naming one of the parent's blocks outranks the focus rotation.
    assert.match(p1, /## Focus\nWork on the EVOLVE-BLOCK named "quantiser" this time \(the supervising person asked for it \(d1\)\)/);
    assert.doesNotMatch(p1, /keep chroma untouched/);
    assert.equal(midRun, 'd2');
    assert.match(p2, /- \[d1\][^\n]*\n- \[d2\] keep chroma untouched/, 'a directive added while the loop ran reaches its next prompt');
    assert.deepEqual(ws.readCandidate('g0001-0').directiveIds, ['d1']);
    assert.equal(ws.readCandidate('g0001-0').focusBlock, 'quantiser');
    assert.deepEqual(ws.readCandidate('g0002-0').directiveIds, ['d1', 'd2']);
    assert.match(
      readFileSync(join(ws.candidateDir('g0001-0'), 'prompt.md'), 'utf8'),
      /\[d1\]/,
      'the stored prompt shows the directive too',
    );

    const hist = await cli(ws.root, 'history');
    assert.match(hist.out, /g0002-0 .*\[answering d1, d2\]/);
    const list = await cli(ws.root, 'steer', '--list');
    assert.match(list.out, /^d1 +active +\[block quantiser\] try coarser rounding of small coefficients +\(2 candidates answered/m);
    assert.match(list.out, /^d2 +active +keep chroma untouched +\(1 candidate answered/m);

    const cleared = await cli(ws.root, 'steer', '--clear', 'd1');
    assert.equal(cleared.code, 0, cleared.err);
    assert.match(cleared.out, /cleared d1/);
    assert.equal((await cli(ws.root, 'steer', '--clear', 'd9')).code, 4, 'an unknown id is bad input');
    onRequest = (req) => edit(req, '0.45');
    const before = server.requests.length;
    assert.equal((await cli(ws.root, 'evolve', '--generations', '1', '--json')).code, 0);
    const p3 = lastUserText(server.requests[before]);
    assert.doesNotMatch(p3, /coarser rounding/, 'a cleared directive is no longer quoted');
    assert.match(p3, /\[d2\] keep chroma untouched/);
    assert.deepEqual(ws.readCandidate('g0003-0').directiveIds, ['d2']);
    const clearAll = await cli(ws.root, 'steer', '--clear');
    assert.equal(clearAll.out, 'cleared d2; later prompts no longer quote it', clearAll.err);
    assert.match((await cli(ws.root, 'steer', '--list')).out, /no active directive \(2 cleared/);
    const events = readFileSync(join(ws.dir, 'events.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string });
    assert.deepEqual(
      events.filter((e) => e.type.startsWith('directive-')).map((e) => e.type),
      ['directive-added', 'directive-added', 'directive-cleared', 'directive-cleared'],
    );
    assert.equal(listDirectives(ws).filter((d) => !d.clearedAt).length, 0);
    assert.equal((await cli(ws.root, 'steer', '  ')).code, 4, 'an empty directive is refused');
  });

  it('ask sends the facts and the question to the model and prints its answer', async () => {
    let seen: MessagesRequest | undefined;
    onRequest = (req) => {
      seen = req;
      return { kind: 'text', text: 'g0003-0 is the best so far; none failed.', inputTokens: 900, outputTokens: 12 };
    };
    const r = await cli(ws.root, 'ask', 'what', 'did', 'g3-0', 'change', 'and', 'why', 'did', 'anything', 'fail?');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'g0003-0 is the best so far; none failed.');
    assert.match(r.err, /claude-sonnet-4-6, 900 input \/ 12 output tokens/);
    assert.equal(seen!.system, ASK_SYSTEM);
    const user = lastUserText(seen!);
    assert.match(user, /## Run\n- not running/);
    assert.match(user, /## Failures\n- 0 of the last 3 candidate\(s\) failed/);
    assert.match(user, /## Candidate g0003-0\n- g0003-0: [a-z-]+, generation 3/);
    assert.match(user, /answering directive\(s\): d2 "keep chroma untouched"/);
    assert.match(user, /```diff\n--- [\w-]+\/code\.js\n\+\+\+ g0003-0\/code\.js[\s\S]*\+const ROUNDING = 0\.45;/);
    assert.match(user, /Question: what did g3-0 change and why did anything fail\?$/);
  });

  it('ask with the offline provider prints the facts, without calling any model', async () => {
    const before = server.requests.length;
    const r = await cli(ws.root, 'ask', '--provider', 'offline', 'how is the progress so far?');
    assert.equal(r.code, 0, r.err);
    assert.equal(server.requests.length, before);
    assert.match(r.out, /^## Run\n/);
    assert.match(r.out, /## Progress\n- generation 0: new best v0001-root/);
    assert.match(r.err, /offline provider has no model/);
    const json = JSON.parse((await cli(ws.root, 'ask', '--facts', '--json', 'why did the last 2 fail')).out);
    assert.deepEqual(
      json.facts.map((s: { topic: string }) => s.topic),
      ['run', 'directives', 'failures', 'recent'],
    );
    assert.equal(json.facts.find((s: { topic: string }) => s.topic === 'recent').lines.length, 2);
    assert.equal((await cli(ws.root, 'ask')).code, 2, 'a question is required');
  });
});

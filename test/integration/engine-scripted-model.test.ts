// Proof that the model may rewrite algorithms: a loopback server speaking the Anthropic Messages API
// answers five proposals with coding tools written against the opened minimal seed (temporal
// prediction, spatial intra modes, variance-adaptive quantisation, trellis-style quantisation, a context
// model for the coefficient count). Each goes the real provider path — SDK stream, parse, apply inside
// the named blocks, validate, sandbox, score against x264 on the tree clip, record — and is then measured
// against its parent on talking heads, a clip none of them was written for.
import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { main } from '../../src/cli/main';
import { runSession } from '../../src/core/evolution/session';
import { evaluateCandidate, type Evaluation } from '../../src/core/harness/evaluate';
import { bdRateByMetric } from '../../src/core/metrics/bdrate';
import { blockNames } from '../../src/core/codec/blocks';
import type { Workspace } from '../../src/core/store/workspace';
import { lastUserText, startMockAnthropic, type MessagesRequest, type MockAnthropic } from '../helpers/anthropic-server';
import { makeEngineWorkspace } from '../helpers/engine-workspace';
import { testClip } from '../helpers/media';
import { SCRIPTED_EDITS } from '../helpers/scripted-edits';

async function cli(cwd: string, ...argv: string[]): Promise<string> {
  const out: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: () => {}, signal: new AbortController().signal, cwd });
  assert.equal(code, 0, argv.join(' '));
  return out.join('\n');
}

const HELD_OUT = { path: testClip('talking_heads_320x192_9f.y4m'), frames: 3 };

async function pointsOn(code: string): Promise<Extract<Evaluation, { ok: true }>['clips'][0]['points']> {
  const ev = await evaluateCandidate(code, { clips: [HELD_OUT], qualities: [25, 40, 55, 70], references: [], determinism: 'off' });
  assert.ok(ev.ok, JSON.stringify(!ev.ok && ev.failure));
  return ev.clips[0].points;
}

describe('engine: a scripted model writes coding tools', function () {
  this.timeout(900_000);
  let server: MockAnthropic;
  let ws: Workspace;
  after(async () => {
    await server?.close();
    if (ws) rmSync(ws.root, { recursive: true, force: true });
  });

  it('five algorithmic edits are applied, evaluated and recorded, and measured against their parent on a clip they were not written for', async () => {
    let proposals = 0;
    server = await startMockAnthropic(
      (req: MessagesRequest) => {
        assert.doesNotMatch(lastUserText(req), /could not be applied|cut off/, 'no edit needs a repair');
        const edit = SCRIPTED_EDITS[proposals++ % SCRIPTED_EDITS.length];
        return { kind: 'text', text: edit.reply, outputTokens: Math.ceil(edit.reply.length / 3.5) };
      },
      { promptCache: true },
    );
    ({ ws } = makeEngineWorkspace('ce-scripted-', (c) => {
      c.provider = { kind: 'anthropic', baseUrl: server.baseURL, model: 'claude-sonnet-4-6' };
      c.evolution.candidatesPerGeneration = SCRIPTED_EDITS.length;
      c.clips.training[0].frames = 4;
    }));
    const status = await runSession(ws, { generations: 1, providerRuntime: { apiKey: 'test', maxRetries: 0, timeoutMs: 60_000 } });
    assert.equal(proposals, SCRIPTED_EDITS.length);

    // The stable prefix went with cache breakpoints: system text (rules, edit format, contract), then the parent.
    const first = server.requests[0];
    assert.ok(Array.isArray(first.system) && first.system.at(-1)!.cache_control?.type === 'ephemeral');
    const parentPart = (first.messages[0].content as Array<{ text?: string; cache_control?: { type: string } }>)[0];
    assert.equal(parentPart.cache_control?.type, 'ephemeral');
    assert.match(parentPart.text!, /## Parent program v0001-root/);

    const root = ws.listCandidates().find((r) => r.parentId === null)!;
    const seedCode = ws.candidateCode(root.id);
    const names = blockNames(seedCode);
    const recs = ws.listCandidates().filter((r) => r.generation === 1);
    assert.equal(recs.length, SCRIPTED_EDITS.length);
    const parentPoints = await pointsOn(seedCode);
    const rows: string[] = [];
    let cacheRead = 0,
      cacheWrite = 0;
    for (const e of SCRIPTED_EDITS) {
      const rec = recs.find((r) => e.reply.startsWith(`HYPOTHESIS: ${r.hypothesis}`))!;
      assert.ok(rec, `a record for ${e.name}`);
      assert.ok(['evaluated', 'pending-review'].includes(rec.state), `${e.name}: ${rec.state} ${JSON.stringify(rec.failure)}`);
      assert.equal(rec.parentId, root.id);
      assert.ok(Number.isFinite(rec.metrics?.trainingBdRate), `${e.name} was scored on the training clip`);
      assert.deepEqual([...rec.changedBlocks!].sort(), [...e.blocks].sort(), e.name);
      assert.ok(rec.focusBlock && names.includes(rec.focusBlock));
      assert.ok(rec.prompt!.estimatedTokens > rec.prompt!.parentTokens);
      cacheRead += rec.tokens.cacheRead ?? 0;
      cacheWrite += rec.tokens.cacheWrite ?? 0;
      const bd = bdRateByMetric(parentPoints, await pointsOn(ws.candidateCode(rec.id)), ['psnrY', 'psnrYuv']);
      const y = bd.psnrY?.percent,
        yuv = bd.psnrYuv?.percent;
      assert.ok(Number.isFinite(y) && Number.isFinite(yuv), `${e.name}: ${JSON.stringify(bd)}`);
      if (e.name === 'inter') assert.ok(y! < 0, `temporal prediction saves bits on talking heads (${y})`);
      rows.push(
        `${rec.id} ${e.name.padEnd(12)} ${rec.editKind!.padEnd(14)} blocks ${rec.changedBlocks!.join(',').padEnd(25)} ` +
          `training vs x264 ${rec.metrics!.trainingBdRate!.toFixed(2)} % (parent ${root.metrics!.trainingBdRate!.toFixed(2)} %); ` +
          `talking heads vs parent: PSNR-Y ${y!.toFixed(2)} %, PSNR-YUV ${yuv!.toFixed(2)} %  [${e.tool}]`,
      );
    }
    // One proposal wrote the shared prefix, the other four read it.
    assert.ok(cacheWrite > 0 && cacheRead >= 4 * cacheWrite * 0.9, `cache write ${cacheWrite}, read ${cacheRead}`);
    assert.equal(status.tokens.cacheRead, cacheRead);
    console.log(
      `      ${rows.join('\n      ')}\n      prompt cache: ${cacheWrite} tokens written, ${cacheRead} read; ` +
        `input ${status.tokens.input} tokens over ${SCRIPTED_EDITS.length} calls; $${status.spentUsd.toFixed(4)}`,
    );

    // history shows each proposal's focus and the blocks its edit changed; review show names them.
    const history = await cli(ws.root, 'history');
    for (const r of recs) assert.match(history, new RegExp(`${r.id}.*focus ${r.focusBlock}.*changed ${r.changedBlocks!.join(',')}`));
    const inter = recs.find((r) => r.changedBlocks!.includes('frame-coding'))!;
    assert.match(
      await cli(ws.root, 'review', 'show', inter.id),
      /blocks changed vs parent v0001-root: block-coding, frame-coding; focus was [\w-]+; edit: mixed/,
    );
  });
});

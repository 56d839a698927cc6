// The supervision path from the CLI: evolve (offline), status, history, review list/show/accept/reject,
// report --html; adoption writes version 2, the codec file and a git commit with the numbers.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { makeEngineWorkspace } from '../helpers/engine-workspace';

async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [],
    err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), signal: new AbortController().signal, cwd });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('engine: review and reports from the CLI', function () {
  this.timeout(300_000);
  it('evolve → status → history → review accept (version + git) / reject → report', async () => {
    const { ws } = makeEngineWorkspace('ce-review-', (c) => {
      c.evolution.gitCommit = true;
    });
    try {
      execFileSync('git', ['init', '-q'], { cwd: ws.root });
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'start'], { cwd: ws.root });
      const ev = await cli(ws.root, 'evolve', '--generations', '3', '--json');
      assert.equal(ev.code, 0, ev.err);
      const st = JSON.parse(ev.out);
      assert.equal(st.candidates, 4);
      const status = JSON.parse((await cli(ws.root, 'status', '--json')).out);
      assert.equal(status.running, false);
      assert.equal(status.candidates, 4);
      // What the numbers are of: the objective's BD-rate against the primary reference, and the guards.
      const guards = ['psnrY', 'psnrU', 'psnrV', 'ssimY'].map((metric) => ({ metric, tolerancePercent: 1 }));
      assert.deepEqual(status.scoring, { objective: 'psnrYuv', reference: 'x264', guards });
      const statusText = (await cli(ws.root, 'status')).out;
      assert.match(
        statusText,
        /^score: BD-rate PSNR-YUV vs x264 on the training clips, lower is better; guards \(most a candidate may lose\): PSNR-Y 1 pp, PSNR-U 1 pp, PSNR-V 1 pp, SSIM-Y 1 pp$/m,
      );
      assert.match(
        statusText,
        /^best: (g\d{4}-\d|v\d{4}-root), BD-rate PSNR-YUV vs x264 [+-]\d+\.\d{3} % \((fewer|more) bits than x264 at equal quality\); adopted: v1, BD-rate PSNR-YUV vs x264 [+-]\d+\.\d{3} %/m,
      );
      const histText = (await cli(ws.root, 'history')).out;
      assert.match(histText, /^versions \(BD-rate PSNR-YUV vs x264 on the training clips\):$/m);
      assert.match(histText, /^candidates \(4; BD-rate PSNR-YUV vs x264 on the training clips\):$/m);
      const hist = JSON.parse((await cli(ws.root, 'history', '--json')).out);
      assert.deepEqual(hist.scoring, status.scoring);
      assert.equal(hist.versions.length, 1);
      const list = JSON.parse((await cli(ws.root, 'review', 'list', '--all', '--json')).out);
      const scored = hist.candidates.filter((c: { state: string }) => c.state === 'evaluated' || c.state === 'pending-review');
      assert.ok(
        scored.length >= 2,
        JSON.stringify(hist.candidates.map((c: { id: string; state: string; failure?: unknown }) => [c.id, c.state, c.failure])),
      );
      assert.ok(list.candidates.length >= 1);
      const [a, b] = scored.filter((c: { parentId: string | null }) => c.parentId !== null).concat(scored);
      const show = await cli(ws.root, 'review', 'show', a.id);
      assert.equal(show.code, 0);
      assert.match(show.out, /^--- v1\/codec\.js/m);
      assert.match(show.out, /hypothesis: offline parameter search/);

      assert.equal((await cli(ws.root, 'review', 'reject', b.id)).code, 4, 'a rejection needs a reason');
      const acc = await cli(ws.root, 'review', 'accept', a.id, '--reason', 'looks right');
      assert.equal(acc.code, 0, acc.err);
      assert.match(acc.out, /adopted .* as version 2; wrote codec\.js; git commit [0-9a-f]{8}/);
      assert.equal(readFileSync(join(ws.root, 'codec.js'), 'utf8'), ws.candidateCode(a.id));
      assert.equal(ws.latestVersion()!.version, 2);
      const msg = execFileSync('git', ['log', '-1', '--format=%B'], { cwd: ws.root }).toString();
      assert.match(msg, new RegExp(`codec v2 from ${a.id}: training BD-rate vs x264 [+-]\\d+\\.\\d{3} %`));
      if (b.id !== a.id) {
        const rej = await cli(ws.root, 'review', 'reject', b.id, '--reason', 'too similar');
        assert.equal(rej.code, 0, rej.err);
        assert.equal(ws.readCandidate(b.id).state, 'rejected');
      }
      assert.equal((await cli(ws.root, 'review', 'accept', a.id)).code, 4, 'adopting twice is refused');

      const rep = await cli(ws.root, 'report', '--html', 'report.html');
      assert.equal(rep.code, 0, rep.err);
      const html = readFileSync(join(ws.root, 'report.html'), 'utf8');
      assert.match(html, /<svg[^>]*aria-label="PSNR-YUV against bitrate"/, 'the RD plot is drawn on the objective');
      assert.match(
        html,
        /Objective: PSNR-YUV BD-rate vs x264\. Guards: PSNR-Y \(tolerance 1 pp\), PSNR-U \(tolerance 1 pp\), PSNR-V \(tolerance 1 pp\), SSIM-Y \(tolerance 1 pp\)/,
      );
      for (const m of ['PSNR-Y', 'PSNR-U', 'PSNR-V', 'SSIM-Y'])
        assert.match(html, new RegExp(`<tr><td>${m} \\(guard, ±1 pp\\)</td><td>[+-]?\\d+\\.\\d{3} %</td>`), m);
      assert.match(html, /<tr><td>PSNR-YUV \(objective\)<\/td>/);
      assert.match(html, /BD-rate over generations/);
      assert.match(html, /<td>v2<\/td>/);
      assert.ok(!/<script/.test(html) && !/src="http/.test(html), 'self-contained');
    } finally {
      rmSync(ws.root, { recursive: true, force: true });
    }
  });
});

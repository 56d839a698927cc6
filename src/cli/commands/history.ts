import type { Command } from '../command';
import { parse } from '../args';
import { Workspace } from '../../core/store/workspace';
import { checkWorkspace } from '../../core/store/integrity';
import { rescored, workspaceScoring } from '../../core/evolution/engine';
import { bdRateName, metricLabel } from '../../core/metrics/registry';

export const history: Command = {
  name: 'history',
  summary: 'every candidate (state, parent, BD-rate, failure) and every adopted version',
  usage: 'codec-evolve history [--limit N] [--json]',
  async run(argv, io) {
    const { values } = parse(argv, { limit: { type: 'string' }, json: { type: 'boolean' } }, 'history');
    const ws = Workspace.find(io.cwd);
    const scoring = workspaceScoring(ws);
    const cands = ws.listCandidates();
    const versions = ws.listVersions();
    const problems = checkWorkspace(ws);
    for (const p of problems) io.err(`warning: ${p.message} — ${p.remedy}`);
    if (values.json) {
      io.out(JSON.stringify({ schemaVersion: 1, ...(scoring ? { scoring } : {}), versions, candidates: cands, problems }));
      return 0;
    }
    const score = scoring ? `${bdRateName(scoring.objective, scoring.reference)} on the training clips` : 'training BD-rate';
    io.out(`versions (${score}):`);
    for (const v of versions) {
      // A version adopted under an earlier objective says which metric its number is of.
      const other = scoring && (v.objective ?? 'psnrY') !== scoring.objective ? ` (${metricLabel(v.objective ?? 'psnrY')})` : '';
      io.out(
        `  v${v.version}  ${v.time}  ${v.trainingBdRate?.toFixed(3) ?? 'n/a'} %${other}  ${v.candidateId ?? 'seed'}${v.gitCommit ? `  git ${v.gitCommit.slice(0, 8)}` : ''}`,
      );
    }
    const limit = values.limit ? Number(values.limit) : cands.length;
    io.out(`candidates (${cands.length}${limit < cands.length ? `, last ${limit}` : ''}; ${score}):`);
    for (const r of cands.slice(-limit)) {
      const c = scoring ? rescored(r, scoring.objective, scoring.reference) : r;
      const bd = c.metrics?.trainingBdRate !== undefined ? `${c.metrics.trainingBdRate.toFixed(3)} %` : '';
      const why = c.failure ? `${c.failure.class}: ${c.failure.message.split('\n')[0].slice(0, 90)}` : c.hypothesis.slice(0, 90);
      const steer = c.directiveIds?.length ? ` [answering ${c.directiveIds.join(', ')}]` : '';
      // focus: the block the prompt named; changed: the blocks the edit touched (they may differ).
      const focus = c.focusBlock ? ` focus ${c.focusBlock}` : '';
      const changed = c.changedBlocks?.length ? ` changed ${c.changedBlocks.join(',')}` : '';
      io.out(
        `  ${c.id.padEnd(11)} ${c.state.padEnd(14)} ${bd.padEnd(10)} parent ${String(c.parentId ?? '-').padEnd(11)}${focus}${changed} ${why}${steer}`,
      );
    }
    io.out(`files: ${ws.dir}`);
    return 0;
  },
};

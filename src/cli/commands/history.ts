import type { Command } from '../command';
import { parse } from '../args';
import { Workspace } from '../../core/store/workspace';
import { checkWorkspace } from '../../core/store/integrity';

export const history: Command = {
  name: 'history',
  summary: 'every candidate (state, parent, BD-rate, failure) and every adopted version',
  usage: 'codec-evolve history [--limit N] [--json]',
  async run(argv, io) {
    const { values } = parse(argv, { limit: { type: 'string' }, json: { type: 'boolean' } }, 'history');
    const ws = Workspace.find(io.cwd);
    const cands = ws.listCandidates();
    const versions = ws.listVersions();
    const problems = checkWorkspace(ws);
    for (const p of problems) io.err(`warning: ${p.message} — ${p.remedy}`);
    if (values.json) {
      io.out(JSON.stringify({ schemaVersion: 1, versions, candidates: cands, problems }));
      return 0;
    }
    io.out('versions:');
    for (const v of versions)
      io.out(
        `  v${v.version}  ${v.time}  ${v.trainingBdRate?.toFixed(3) ?? 'n/a'} %  ${v.candidateId ?? 'seed'}${v.gitCommit ? `  git ${v.gitCommit.slice(0, 8)}` : ''}`,
      );
    const limit = values.limit ? Number(values.limit) : cands.length;
    io.out(`candidates (${cands.length}${limit < cands.length ? `, last ${limit}` : ''}):`);
    for (const c of cands.slice(-limit)) {
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

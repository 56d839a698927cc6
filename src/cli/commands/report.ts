import type { Command } from '../command';
import { parse } from '../args';
import { Workspace } from '../../core/store/workspace';
import { renderReport } from '../../core/evolution/report';
import { writeFileAtomic } from '../../core/store/atomic';
import { UsageError } from '../../core/errors';
import { resolve } from 'node:path';

export const report: Command = {
  name: 'report',
  summary: 'write a self-contained HTML report (RD plot, BD-rate over generations, lineage)',
  usage: 'codec-evolve report --html FILE',
  async run(argv, io) {
    const { values } = parse(argv, { html: { type: 'string' } }, 'report');
    if (!values.html) throw new UsageError('report needs --html FILE');
    const ws = Workspace.find(io.cwd);
    const html = renderReport({ title: `Codec evolution — ${ws.root}`, candidates: ws.listCandidates(), versions: ws.listVersions(), primaryReference: ws.readConfig().primaryReference,
      objective: ws.readConfig().evolution.objective, guards: ws.readConfig().evolution.guards });
    const out = resolve(io.cwd, values.html);
    writeFileAtomic(out, html);
    io.out(`wrote ${out}`);
    return 0;
  },
};

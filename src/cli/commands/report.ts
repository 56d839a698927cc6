import type { Command } from '../command';
import { parse } from '../args';
import { Workspace } from '../../core/store/workspace';
import { renderReport } from '../../core/evolution/report';
import { writeFileAtomic } from '../../core/store/atomic';
import { InputError, UsageError } from '../../core/errors';
import { resolve } from 'node:path';

export const report: Command = {
  name: 'report',
  summary: 'write a self-contained HTML report (RD plot, BD-rate over generations, lineage)',
  usage: 'codec-evolve report --html FILE',
  async run(argv, io) {
    const { values } = parse(argv, { html: { type: 'string' } }, 'report');
    if (!values.html) throw new UsageError('--html FILE is required', 'e.g. codec-evolve report --html report.html');
    const ws = Workspace.find(io.cwd);
    const html = renderReport({
      title: `Codec evolution — ${ws.root}`,
      candidates: ws.listCandidates(),
      versions: ws.listVersions(),
      primaryReference: ws.readConfig().primaryReference,
      objective: ws.readConfig().evolution.objective,
      guards: ws.readConfig().evolution.guards,
    });
    const out = resolve(io.cwd, values.html);
    try {
      writeFileAtomic(out, html);
    } catch (e) {
      throw new InputError(`cannot write the report to ${out}: ${(e as Error).message}`, 'give --html a path in a folder you can write to');
    }
    io.out(`wrote ${out}`);
    return 0;
  },
};

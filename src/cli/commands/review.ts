import { formatMetrics, metricLabel } from '../../core/metrics/registry';
import type { Command } from '../command';
import { parse } from '../args';
import { Workspace } from '../../core/store/workspace';
import { adoptCandidate, rejectCandidate } from '../../core/evolution/review';
import { UsageError } from '../../core/errors';
import { unifiedDiff } from '../../core/evolution/diff';
import { changedBlocks, describeBlockChanges, frameChanged } from '../../core/codec/blocks';

export const review: Command = {
  name: 'review',
  summary: 'the review queue: list, show (diff + numbers), accept, reject --reason',
  usage: `codec-evolve review list [--all] [--json]
codec-evolve review show ID [--json]
codec-evolve review accept ID [--reason TEXT]
codec-evolve review reject ID --reason TEXT`,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      { reason: { type: 'string' }, json: { type: 'boolean' }, all: { type: 'boolean' } },
      'review',
    );
    const [action = 'list', id] = positionals;
    const ws = Workspace.find(io.cwd);
    if (action === 'list') {
      const queue = ws
        .listCandidates()
        .filter((c) => c.state === 'pending-review' || (values.all && c.state === 'evaluated'))
        .sort((a, b) => (a.metrics?.trainingBdRate ?? 0) - (b.metrics?.trainingBdRate ?? 0));
      if (values.json) {
        io.out(JSON.stringify({ schemaVersion: 1, candidates: queue }));
        return 0;
      }
      if (!queue.length) {
        io.out('nothing awaits review');
        return 0;
      }
      for (const c of queue)
        io.out(
          `${c.id.padEnd(11)} ${c.metrics?.trainingBdRate?.toFixed(3)} % (parent ${c.parentBdRate?.toFixed(3) ?? 'n/a'} %)  ${c.verdict?.reason ?? ''}\n            ${c.hypothesis.slice(0, 140)}`,
        );
      return 0;
    }
    if (!id) throw new UsageError(`review ${action} needs a candidate id`, "see 'codec-evolve review list'");
    if (action === 'show') {
      const c = ws.readCandidate(id);
      const version = ws.latestVersion();
      const base = version ? ws.versionCode(version.version) : '';
      const code = ws.readCandidateFile(id, 'code.js') ?? '';
      // Blocks are named against the candidate's own parent (what its edit did), the diff against the adopted version.
      const parentCode = c.parentId ? ws.readCandidateFile(c.parentId, 'code.js') : undefined;
      const changed = parentCode !== undefined && code ? changedBlocks(parentCode, code) : [];
      const outside = parentCode !== undefined && code ? frameChanged(parentCode, code) : false;
      if (values.json) {
        io.out(
          JSON.stringify({
            schemaVersion: 1,
            candidate: c,
            changedBlocks: changed,
            frameChanged: outside,
            diff: unifiedDiff(base, code, `v${version?.version}`, id),
          }),
        );
        return 0;
      }
      io.out(
        `${c.id}: ${c.state}; parent ${c.parentId}; generation ${c.generation}; ${c.provider}/${c.model ?? ''}; $${c.costUsd.toFixed(4)}`,
      );
      io.out(`hypothesis: ${c.hypothesis || '(none stated)'}`);
      if (parentCode !== undefined && code) {
        io.out(
          `blocks changed vs parent ${c.parentId}: ${describeBlockChanges(parentCode, code)}` +
            (c.focusBlock ? `; focus was ${c.focusBlock}` : '') +
            (c.editKind ? `; edit: ${c.editKind}` : ''),
        );
      }
      if (base && code && base !== parentCode)
        io.out(`blocks changed vs v${version?.version} (the diff below): ${describeBlockChanges(base, code)}`);
      io.out(
        `measured: training ${c.metrics?.trainingBdRate?.toFixed(3) ?? 'n/a'} % (parent ${c.parentBdRate?.toFixed(3) ?? 'n/a'} %, adopted v${version?.version} ${version?.trainingBdRate?.toFixed(3) ?? 'n/a'} %)` +
          (c.metrics?.heldOutBdRate !== undefined ? `; held-out ${c.metrics.heldOutBdRate.toFixed(3)} %` : ''),
      );
      if (c.failure)
        io.out(
          `failure: ${c.failure.class}${c.failure.line ? ` at ${c.failure.line}:${c.failure.column ?? 1}` : ''}: ${c.failure.message}`,
        );
      for (const clip of c.metrics?.training ?? []) {
        io.out(
          `  ${clip.clip}: ` +
            Object.entries(clip.bdRate)
              .map(
                ([m, byRef]) =>
                  `${metricLabel(m)} ` +
                  Object.entries(byRef ?? {})
                    .map(([k, v]) => `${k} ${v?.toFixed(2)} %`)
                    .join(', '),
              )
              .join('; '),
        );
        for (const p of clip.points)
          io.out(`    q${p.quality ?? '?'}: ${p.bytes} B, ${p.kbps.toFixed(1)} kbps, ${formatMetrics(p.metrics)}`);
      }
      if (c.verdict) {
        io.out(`verdict: ${c.verdict.improved ? 'improved' : 'not queued'} — ${c.verdict.reason}`);
        for (const g of c.verdict.guards ?? [])
          io.out(
            `  guard ${metricLabel(g.metric)}: ${g.change === undefined ? 'not measured' : `${g.change >= 0 ? '+' : ''}${g.change.toFixed(3)} pp (tolerance ${g.tolerancePercent} pp) ${g.ok ? 'ok' : 'REGRESSES'}`}`,
          );
      }
      io.out(unifiedDiff(base, code, `v${version?.version ?? 0}/codec.js`, `${id}/code.js`));
      return 0;
    }
    if (action === 'accept') {
      const r = await adoptCandidate(ws, id, { by: 'person', reason: values.reason });
      io.out(
        `adopted ${id} as version ${r.version.version}; wrote ${ws.readConfig().codecFile}` +
          (r.version.gitCommit ? `; git commit ${r.version.gitCommit.slice(0, 8)}` : r.gitNote ? ` (no git commit: ${r.gitNote})` : ''),
      );
      return 0;
    }
    if (action === 'reject') {
      rejectCandidate(ws, id, { by: 'person', reason: values.reason });
      io.out(`rejected ${id}; the reason goes into later prompts`);
      return 0;
    }
    throw new UsageError(`unknown review action '${action}'`, 'use list, show, accept or reject');
  },
};

import type { Command } from '../command';
import { parse } from '../args';
import { Workspace } from '../../core/store/workspace';
import { UsageError } from '../../core/errors';
import { activeDirectives, addDirective, clearDirectives, listDirectives, type Directive } from '../../core/store/directives';

function describe(d: Directive, answered: number): string {
  return `${d.id.padEnd(4)} ${(d.clearedAt ? 'cleared' : 'active').padEnd(8)}${d.block ? `[block ${d.block}] ` : ''}${d.text}  (${answered} candidate${answered === 1 ? '' : 's'} answered; given ${d.createdAt} by ${d.by})`;
}

export const steer: Command = {
  name: 'steer',
  summary: 'direct the search in words: every later prompt quotes the directive until it is cleared',
  usage: `codec-evolve steer TEXT [--block NAME]   add a directive (NAME: an EVOLVE-BLOCK to focus on)
codec-evolve steer --list [--all] [--json]  the active directives (--all: also the cleared ones)
codec-evolve steer --clear [ID]             clear one directive, or all active ones
  A running loop picks a new directive up at its next proposal. Candidates record which directives their
  prompt quoted ('codec-evolve history' shows them).`,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      {
        block: { type: 'string' },
        list: { type: 'boolean' },
        all: { type: 'boolean' },
        clear: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      'steer',
    );
    const ws = Workspace.find(io.cwd);
    if (values.list && values.clear) throw new UsageError('steer: --list and --clear do not go together');
    if (values.clear) {
      if (positionals.length > 1) throw new UsageError('steer --clear takes at most one directive id', "see 'codec-evolve steer --list'");
      const cleared = clearDirectives(ws, positionals[0]);
      if (values.json) {
        io.out(JSON.stringify({ schemaVersion: 1, cleared }));
        return 0;
      }
      io.out(
        cleared.length
          ? `cleared ${cleared.map((d) => d.id).join(', ')}; later prompts no longer quote ${cleared.length === 1 ? 'it' : 'them'}`
          : 'no active directive to clear',
      );
      return 0;
    }
    if (values.list || positionals.length === 0) {
      if (values.block)
        throw new UsageError('steer: --block needs the directive TEXT', 'codec-evolve steer "try larger motion search" --block motion');
      const all = listDirectives(ws);
      const shown = values.all ? all : activeDirectives(all);
      const cands = ws.listCandidates();
      const answered = (id: string) => cands.filter((c) => c.directiveIds?.includes(id)).length;
      if (values.json) {
        io.out(
          JSON.stringify({
            schemaVersion: 1,
            directives: shown.map((d) => ({ ...d, answeredBy: cands.filter((c) => c.directiveIds?.includes(d.id)).map((c) => c.id) })),
          }),
        );
        return 0;
      }
      if (!shown.length) {
        io.out(
          values.all
            ? 'no directive given yet'
            : `no active directive${all.length ? ` (${all.length} cleared; --all lists them)` : ''} — add one with codec-evolve steer "TEXT"`,
        );
        return 0;
      }
      for (const d of shown) io.out(describe(d, answered(d.id)));
      return 0;
    }
    const d = addDirective(ws, { text: positionals.join(' '), block: values.block, by: 'cli' });
    if (values.json) {
      io.out(JSON.stringify({ schemaVersion: 1, directive: d }));
      return 0;
    }
    io.out(
      `directive ${d.id} added${d.block ? ` (focus: block ${d.block})` : ''}; every following prompt quotes it until 'codec-evolve steer --clear ${d.id}'`,
    );
    return 0;
  },
};

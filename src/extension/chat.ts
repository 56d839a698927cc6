// The @codec chat participant: /status, /explain, /failures, /steer, and free questions answered from
// the workspace's facts by the chat's model (request.model, through vscode.lm) or, when the person
// configured anthropic / openai-compatible, by that provider in the engine child. Facts come from the
// engine child over its typed protocol (read from disk in Restricted Mode); candidate ids link to the
// review diff.
import * as vscode from 'vscode';
import { CancelledError, errorMessage } from '../core/errors';
import { askPrompt } from '../core/evolution/ask';
import { renderFacts } from '../core/evolution/facts';
import { abortSignalOf } from './engine-client';
import type { Controller } from './controller';
import { SECTION } from './settings-sync';
import { pickChatModel } from './lm-bridge';
import {
  CHAT_HELP,
  OPEN_CANDIDATE_COMMAND,
  explainTarget,
  factsMarkdown,
  failuresWindow,
  linkCandidates,
  parseDirective,
} from './chat-text';

const PARTICIPANT_ID = 'codecEvolution.codec';

/** request.model arrived in VS Code 1.95; the manifest supports 1.90, where the setting picks the model. */
type RequestWithModel = vscode.ChatRequest & { model?: vscode.LanguageModelChat };

function trusted(md: string): vscode.MarkdownString {
  const m = new vscode.MarkdownString(md);
  m.isTrusted = { enabledCommands: [OPEN_CANDIDATE_COMMAND, 'codecEvolution.initialize'] };
  return m;
}

export function registerChatParticipant(ctx: vscode.ExtensionContext, controller: () => Controller, log: vscode.LogOutputChannel): void {
  if (typeof vscode.chat?.createChatParticipant !== 'function') {
    log.info('this VS Code has no chat participant API: @codec is not available');
    return;
  }
  const handler: vscode.ChatRequestHandler = async (request, _context, stream, token) => {
    const ctl = controller();
    const command = request.command ?? 'ask';
    try {
      if (!ctl.initializedOnDisk()) {
        stream.markdown('This folder has no `.codec-evolution/` yet: there is no run to talk about.');
        stream.button({ command: 'codecEvolution.initialize', title: 'Initialize Workspace' });
        return { metadata: { command } };
      }
      const prompt = request.prompt.trim();
      if (command === 'status') {
        stream.progress('Reading the run…');
        const f = await ctl.facts({ topics: ['run', 'directives', 'queue', 'progress'] });
        stream.markdown(trusted(factsMarkdown(f.sections, f.knownIds)));
      } else if (command === 'failures') {
        stream.progress('Reading the failures…');
        const f = await ctl.facts({ topics: ['failures', 'recent'], window: failuresWindow(prompt) });
        stream.markdown(trusted(factsMarkdown(f.sections, f.knownIds)));
      } else if (command === 'explain') {
        await ctl.refresh();
        const s = ctl.state();
        const ids = ctl.currentSnapshot.candidates.map((c) => c.id);
        const id = explainTarget(prompt, ids, s.queue[0]?.id ?? s.best?.candidateId ?? undefined);
        if (!id) {
          stream.markdown('Which candidate? Name one, e.g. `/explain g0004-0` (`/status` lists the review queue).');
          return { metadata: { command } };
        }
        stream.progress(`Reading ${id}…`);
        const f = await ctl.facts({ topics: ['candidate'], candidateIds: [id] });
        stream.markdown(trusted(factsMarkdown(f.sections, f.knownIds)));
        stream.button({ command: OPEN_CANDIDATE_COMMAND, arguments: [id], title: `Open the review diff of ${id}` });
      } else if (command === 'steer') {
        if (!prompt) {
          const active = ctl.state().directives;
          stream.markdown(
            active.length
              ? `Active directives:\n${active.map((d) => `- **${d.id}**${d.block ? ` [block ${d.block}]` : ''} ${d.text} (${d.answered} candidate(s) answered)`).join('\n')}\n\nAdd one with \`/steer TEXT\`.`
              : 'No active directive. Add one with `/steer try B-frames next`.',
          );
          return { metadata: { command } };
        }
        const { text, block } = parseDirective(prompt);
        const d = await ctl.steer(text, block, 'chat');
        stream.markdown(
          `Directive **${d.id}** added${d.block ? ` (focus: block \`${d.block}\`)` : ''}: every following prompt quotes it until you remove it (side bar, or **Codec Evolution: Remove Directive**).`,
        );
      } else if (!prompt) {
        stream.markdown(CHAT_HELP);
      } else {
        await answerQuestion(ctl, request as RequestWithModel, prompt, stream, token);
      }
    } catch (e) {
      if (e instanceof CancelledError || token.isCancellationRequested) return { metadata: { command } };
      log.error(`@codec /${command}: ${errorMessage(e)}`);
      stream.markdown(`**Error:** ${errorMessage(e)}`);
      return { errorDetails: { message: errorMessage(e) }, metadata: { command } };
    }
    return { metadata: { command } };
  };
  const participant = vscode.chat.createChatParticipant(PARTICIPANT_ID, handler);
  participant.iconPath = vscode.Uri.joinPath(ctx.extensionUri, 'media', 'icon.png');
  participant.followupProvider = {
    provideFollowups: (result) => {
      const cmd = (result.metadata as { command?: string } | undefined)?.command;
      return cmd === 'status'
        ? [
            { prompt: '', command: 'failures', label: 'What failed recently?' },
            { prompt: '', command: 'explain', label: 'Explain the next candidate to review' },
          ]
        : [];
    },
  };
  ctx.subscriptions.push(participant);
}

async function answerQuestion(
  ctl: Controller,
  request: RequestWithModel,
  question: string,
  stream: vscode.ChatResponseStream,
  token: vscode.CancellationToken,
): Promise<void> {
  stream.progress('Reading the run…');
  const provider = ctl.settings.overrides().provider ?? ctl.settings.providerSetting();
  if (provider === 'anthropic' || provider === 'openai-compatible') {
    const r = await ctl.ask(question, abortSignalOf(token));
    stream.markdown(trusted(linkCandidates(r.text ?? factsMarkdown(r.sections, r.knownIds), r.knownIds)));
    stream.markdown(`\n\n_${r.model ?? provider}, from the facts on ${r.sections.map((s) => s.title).join(', ')}._`);
    return;
  }
  const f = await ctl.facts({ question });
  let model = request.model;
  if (!model) {
    try {
      model = await pickChatModel(vscode.workspace.getConfiguration(SECTION).get<string>('model', ''));
    } catch {
      /* no model: the facts are the answer */
    }
  }
  if (!model) {
    stream.markdown(trusted(`No language model is available, so here are the facts:\n\n${factsMarkdown(f.sections, f.knownIds)}`));
    return;
  }
  const p = askPrompt(question, renderFacts(f.sections));
  // vscode.lm has no system role: the system text goes first as a user message.
  const res = await model.sendRequest(
    [vscode.LanguageModelChatMessage.User(p.system), vscode.LanguageModelChatMessage.User(p.user)],
    { justification: "Codec Evolution answers your question from the run's records." },
    token,
  );
  let text = '';
  for await (const part of res.text) text += part;
  stream.markdown(trusted(linkCandidates(text.trim(), f.knownIds)));
  stream.markdown(`\n\n_${model.name || model.id}, from the facts on ${f.sections.map((s) => s.title).join(', ')}._`);
}

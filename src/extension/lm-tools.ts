// Language-model tools, so an agent (chat agent mode) can read the run and steer it: status, history
// (filtered), one candidate's record and diff, and adding a directive after the person confirms.
// vscode.lm.registerTool is VS Code 1.95+; the manifest supports 1.90, so its types are declared here
// and the tools are registered only where the API exists.
import * as vscode from 'vscode';
import { historySection, renderFacts, type HistoryFilter } from '../core/evolution/facts';
import type { Controller } from './controller';
import { parseDirective } from './chat-text';

interface ToolInvocation<T> {
  input: T;
}
interface PreparedToolInvocation {
  invocationMessage?: string;
  confirmationMessages?: { title: string; message: string | vscode.MarkdownString };
}
interface LanguageModelTool<T> {
  invoke(options: ToolInvocation<T>, token: vscode.CancellationToken): Promise<unknown>;
  prepareInvocation?(options: ToolInvocation<T>, token: vscode.CancellationToken): PreparedToolInvocation | undefined;
}
interface ToolsApi {
  registerTool?<T>(name: string, tool: LanguageModelTool<T>): vscode.Disposable;
}
type ResultCtor = new (parts: unknown[]) => unknown;
type TextPartCtor = new (text: string) => unknown;

/** The tool names, as declared under contributes.languageModelTools in package.json. */
type ToolName = 'codecEvolution_status' | 'codecEvolution_history' | 'codecEvolution_candidate' | 'codecEvolution_steer';

export function registerLanguageModelTools(ctx: vscode.ExtensionContext, controller: () => Controller, log: vscode.LogOutputChannel): void {
  const lm = vscode.lm as unknown as ToolsApi;
  const api = vscode as unknown as { LanguageModelToolResult?: ResultCtor; LanguageModelTextPart?: TextPartCtor };
  if (typeof lm.registerTool !== 'function' || !api.LanguageModelToolResult || !api.LanguageModelTextPart) {
    log.info('this VS Code has no language-model tools API (1.95+): the Codec Evolution tools are not registered');
    return;
  }
  const Result = api.LanguageModelToolResult,
    Text = api.LanguageModelTextPart;
  const result = (text: string) => new Result([new Text(text)]);
  const ready = (): Controller => {
    const c = controller();
    if (!c.initializedOnDisk())
      throw new Error('this folder has no .codec-evolution/ workspace: run "Codec Evolution: Initialize Workspace" first');
    return c;
  };

  const tools: { [K in ToolName]: LanguageModelTool<never> } = {
    codecEvolution_status: {
      invoke: async () => {
        const f = await ready().facts({ topics: ['run', 'directives', 'queue', 'progress'] });
        return result(renderFacts(f.sections));
      },
    },
    codecEvolution_history: {
      invoke: async (o: ToolInvocation<HistoryFilter>) => {
        const c = ready();
        await c.refresh();
        return result(renderFacts([historySection(c.currentSnapshot.candidates, o.input ?? {})]));
      },
    } as LanguageModelTool<never>,
    codecEvolution_candidate: {
      invoke: async (o: ToolInvocation<{ id: string }>) => {
        const f = await ready().facts({ topics: ['candidate'], candidateIds: [String(o.input?.id ?? '')] });
        return result(renderFacts(f.sections));
      },
    } as LanguageModelTool<never>,
    codecEvolution_steer: {
      prepareInvocation: (o: ToolInvocation<{ text: string; block?: string }>) => {
        const { text, block } = directiveInput(o.input);
        return {
          invocationMessage: `Adding a directive to the codec search: ${text}`,
          confirmationMessages: {
            title: 'Add a directive to the codec search?',
            message: new vscode.MarkdownString(
              `Every following prompt to the model will quote:\n\n> ${text}${block ? `\n\n(focus on the EVOLVE-BLOCK **${block}**)` : ''}\n\nuntil you remove it.`,
            ),
          },
        };
      },
      invoke: async (o: ToolInvocation<{ text: string; block?: string }>) => {
        const { text, block } = directiveInput(o.input);
        const d = await ready().steer(text, block, 'tool');
        return result(
          `Directive ${d.id} added${d.block ? ` (block ${d.block})` : ''}: "${d.text}". Every following prompt quotes it until the person removes it.`,
        );
      },
    } as LanguageModelTool<never>,
  };
  for (const [name, tool] of Object.entries(tools)) ctx.subscriptions.push(lm.registerTool(name, tool));
}

function directiveInput(input: { text?: string; block?: string } | undefined): { text: string; block?: string } {
  const parsed = parseDirective(String(input?.text ?? ''));
  return { text: parsed.text, block: input?.block?.trim() || parsed.block };
}

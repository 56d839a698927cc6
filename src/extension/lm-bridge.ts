// The Language Model API as a provider. The engine child cannot reach vscode.lm, so it asks the host
// over IPC ('lm-request'); this answers with a chat request to the model the person selected.
import * as vscode from 'vscode';
import type { LmChatRequest, LmChatResult } from './engine-client';

/** The chat model for a setting value like 'copilot/gpt-4o' (vendor/family), 'gpt-4o' (family or id), or '' (first available). */
export async function pickChatModel(setting: string): Promise<vscode.LanguageModelChat> {
  const [vendor, family] = setting.includes('/') ? setting.split('/', 2) : [undefined, setting || undefined];
  let models = await vscode.lm.selectChatModels(vendor || family ? { vendor, family } : {});
  if (models.length === 0 && family && !vendor)
    models = (await vscode.lm.selectChatModels({})).filter((m) => m.id === family || m.name === family);
  if (models.length === 0) {
    throw new Error(
      `no language model '${setting || 'any'}' is available through VS Code — install and sign in to a chat extension (e.g. GitHub Copilot), or run Codec Evolution: Select Model`,
    );
  }
  return models[0];
}

export async function answerLmRequest(
  req: LmChatRequest,
  modelSetting: string,
  signal: AbortSignal,
  onText: (t: string) => void = () => undefined,
): Promise<LmChatResult> {
  const model = await pickChatModel(modelSetting);
  // vscode.lm has no system role: the system text goes first as a user message.
  const messages = [
    vscode.LanguageModelChatMessage.User(req.system),
    ...req.messages.map((m) =>
      m.role === 'user' ? vscode.LanguageModelChatMessage.User(m.content) : vscode.LanguageModelChatMessage.Assistant(m.content),
    ),
  ];
  const cts = new vscode.CancellationTokenSource();
  const onAbort = () => cts.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await model.sendRequest(
      messages,
      { justification: 'Codec Evolution asks the model to propose an improved video codec.' },
      cts.token,
    );
    let text = '';
    for await (const part of res.text) {
      text += part;
      onText(part);
    }
    const count = async (s: string) => {
      try {
        return await model.countTokens(s, cts.token);
      } catch {
        return Math.ceil(s.length / 4);
      }
    };
    const inputTokens = (await Promise.all([req.system, ...req.messages.map((m) => m.content)].map(count))).reduce((a, b) => a + b, 0);
    return { text, model: `${model.vendor}/${model.family}`, inputTokens, outputTokens: await count(text) };
  } catch (e) {
    if (e instanceof vscode.LanguageModelError)
      throw new Error(`${e.message} (${e.code}) — check that the chat model allows Codec Evolution to use it`);
    throw e;
  } finally {
    signal.removeEventListener('abort', onAbort);
    cts.dispose();
  }
}

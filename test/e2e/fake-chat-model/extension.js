// A fake chat model for the end-to-end suite: it reads the prompt it is sent and answers with what it
// found there (the question, how many fact lines, the first candidate id), so the test can tell that
// @codec's facts reached a model through VS Code's Language Model API. No network, deterministic.
const vscode = require('vscode');

function textOf(message) {
  return (message.content || []).map((p) => (typeof p.value === 'string' ? p.value : '')).join('');
}

function activate(context) {
  const log = vscode.window.createOutputChannel('Codec e2e fake model', { log: true });
  context.subscriptions.push(
    log,
    vscode.commands.registerCommand('codecE2e.invokeTools', () => invokeTools(log).catch((e) => log.error(`tools: ${e && e.message}`))),
  );
  if (typeof vscode.lm.registerLanguageModelChatProvider !== 'function') {
    log.warn('vscode.lm.registerLanguageModelChatProvider is missing in this VS Code: no fake model');
    return;
  }
  const info = {
    id: 'codec-e2e-fake',
    name: 'Codec e2e fake',
    family: 'codec-e2e-fake',
    version: '1',
    maxInputTokens: 200000,
    maxOutputTokens: 4096,
    tooltip: 'Answers from the prompt, offline',
    capabilities: { toolCalling: true, imageInput: false },
    isUserSelectable: true,
  };
  context.subscriptions.push(
    vscode.lm.registerLanguageModelChatProvider('codec-e2e', {
      provideLanguageModelChatInformation: () => [info],
      provideLanguageModelChatResponse: async (_model, messages, _options, progress) => {
        const all = messages.map(textOf).join('\n');
        const question = (/Question: ([^\n]*)\s*$/.exec(all) || [])[1] || '(no question found)';
        const facts = all.split('\n').filter((l) => l.startsWith('- ')).length;
        const id = (/\b(g\d{4}-\d+)\b/.exec(all) || [])[1] || 'none';
        log.info(`asked: ${question} (${all.length} chars)`);
        progress.report(
          new vscode.LanguageModelTextPart(`FAKE-MODEL read ${facts} fact lines for "${question}". The candidates start with ${id}.`),
        );
      },
      provideTokenCount: async (_model, text) => Math.ceil((typeof text === 'string' ? text : textOf(text)).length / 4),
    }),
  );
  // The workbench resolves a vendor's models when someone selects from it; do so now, so the chat's
  // model picker lists the fake model from the start.
  vscode.lm.selectChatModels({ vendor: 'codec-e2e' }).then(
    (models) => log.info(`fake chat model registered (vendor codec-e2e): ${models.map((m) => m.id).join(', ')}`),
    (e) => log.error(`selecting the fake model failed: ${e && e.message}`),
  );
}

// What an agent does with the Codec Evolution tools: list them, then call status and one candidate,
// logging each result (the e2e test reads the log).
async function invokeTools(log) {
  const ours = vscode.lm.tools
    .filter((t) => t.name.startsWith('codecEvolution_'))
    .map((t) => t.name)
    .sort();
  log.info(`tools: ${ours.join(', ')}`);
  const text = (r) => r.content.map((p) => (typeof p.value === 'string' ? p.value : '')).join('');
  const status = await vscode.lm.invokeTool('codecEvolution_status', { input: {}, toolInvocationToken: undefined });
  log.info(`status tool: ${text(status).replace(/\n/g, ' | ')}`);
  const history = await vscode.lm.invokeTool('codecEvolution_history', {
    input: { sinceGeneration: 1, limit: 2 },
    toolInvocationToken: undefined,
  });
  log.info(`history tool: ${text(history).replace(/\n/g, ' | ')}`);
}

module.exports = { activate, deactivate() {} };

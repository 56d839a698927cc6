// codecEvolution.* settings as one workspace folder sees them: the overrides the engine applies
// (settings.ts maps the keys), the provider and its key from SecretStorage, the params of a run, and
// applying explicitly set values to .codec-evolution/config.json — through the engine's `applyConfig`
// request, so the extension host never writes the config itself.
import * as vscode from 'vscode';
import { engineOverrides, secretFor, type EngineOverrides, type ProviderSetting } from './settings';
import type { ParamsOf, ResultOf, StartParams } from '../engine-host/protocol';
import { providerEntry } from '../core/llm/registry';

export const SECTION = 'codecEvolution';

function explicitSetting<T>(key: string, scope?: vscode.Uri): T | undefined {
  const i = vscode.workspace.getConfiguration(SECTION, scope).inspect<T>(key);
  return i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
}

/** What settings sync needs of the engine: one request. */
type ApplyConfig = (params: ParamsOf<'applyConfig'>) => Promise<ResultOf<'applyConfig'>>;

export class SettingsSync {
  constructor(
    private readonly folder: vscode.WorkspaceFolder | undefined,
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  private config(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION, this.folder?.uri);
  }

  overrides(): EngineOverrides {
    const o = engineOverrides((k) => explicitSetting(k, this.folder?.uri));
    // Budgets are run parameters, not part of the workspace record: the settings' defaults apply
    // (30 generations, 60 minutes, $5), so Start never runs unbounded by accident. 0 = no limit.
    const cfg = this.config();
    const limit = (v: number | undefined) => (v && v > 0 ? v : undefined);
    o.budgets = {
      generations: limit(o.budgets?.generations ?? cfg.get<number>('budget.generations')),
      wallMinutes: limit(o.budgets?.wallMinutes ?? cfg.get<number>('budget.wallMinutes')),
      usd: limit(o.budgets?.usd ?? cfg.get<number>('budget.usd')),
    };
    return o;
  }

  providerSetting(): ProviderSetting {
    return this.config().get<ProviderSetting>('provider', 'offline');
  }

  /** codecEvolution.model: the vscode.lm model the engine's `host` provider asks for. */
  lmModel(): string {
    return this.config().get<string>('model', '');
  }

  /** The key of the effective provider from SecretStorage (undefined when it needs none or none is set). */
  async apiKey(): Promise<string | undefined> {
    const need = secretFor(this.overrides().provider ?? this.providerSetting());
    return need ? this.secrets.get(need.secret) : undefined;
  }

  async startParams(): Promise<Omit<StartParams, 'generations'>> {
    const o = this.overrides();
    const provider = o.provider ?? this.providerSetting();
    const apiKey = await this.apiKey();
    const entry = providerEntry(provider);
    if (entry?.secret?.required && !apiKey)
      throw new Error(`no ${entry.label} API key — run Codec Evolution: Set API Key (it is kept in SecretStorage only)`);
    const kind = provider === 'vscode-lm' ? 'host' : o.provider ? provider : undefined;
    const p: Omit<StartParams, 'generations'> = {
      budgets: o.budgets,
      concurrency: o.concurrency || undefined,
      apiKey,
      ...(o.queue ? { queue: o.queue } : {}),
    };
    if (kind || o.model || o.baseUrl || o.maxTokens)
      p.provider = {
        ...(kind ? { kind } : {}),
        ...(o.model ? { model: o.model } : {}),
        ...(o.baseUrl ? { baseUrl: o.baseUrl } : {}),
        ...(o.maxTokens ? { maxTokens: o.maxTokens } : {}),
      } as StartParams['provider'];
    return p;
  }

  /** Explicitly set codecEvolution.* values win over .codec-evolution/config.json. The engine writes them,
   * and only while no loop runs (it refuses otherwise); nothing is asked while this host knows one runs. */
  async applyToConfig(applyConfig: ApplyConfig, loopRunning: boolean): Promise<void> {
    const overrides = this.overrides().config;
    if (!overrides || loopRunning) return;
    const r = await applyConfig({ overrides });
    if (r.changed) this.log.info('applied codecEvolution.* settings to .codec-evolution/config.json');
  }
}

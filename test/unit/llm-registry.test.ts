// The provider registry is the one list of providers: the manifest's settings enum must match it, and
// a kind nobody registered is an error (it used to fall back to the offline mutator silently).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/paths';
import { createProvider } from '../../src/core/llm';
import { CORE_PROVIDER_KINDS, PROVIDERS, PROVIDER_KINDS, parseProviderKind } from '../../src/core/llm/registry';
import { UsageError, InputError } from '../../src/core/errors';
import { engineOverrides, secretFor, SECRET_ENV } from '../../src/extension/settings';
import type { ProviderConfig } from '../../src/core/store/config';

const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8'));
const props = manifest.contributes.configuration.properties as Record<string, { enum?: string[]; enumDescriptions?: string[] }>;

describe('llm: provider registry', () => {
  it('codecEvolution.provider lists exactly the registry, in order, with its descriptions', () => {
    assert.deepEqual(props['codecEvolution.provider'].enum, [...PROVIDER_KINDS]);
    assert.deepEqual(
      props['codecEvolution.provider'].enumDescriptions,
      PROVIDERS.map((p) => p.description),
    );
  });

  it('every setting a provider reads is declared in the manifest', () => {
    for (const p of PROVIDERS) {
      for (const key of Object.values(p.settings) as string[])
        assert.ok(props[`codecEvolution.${key}`], `codecEvolution.${key} (read for ${p.kind}) is not in package.json`);
    }
  });

  it('an unknown kind is an error naming the kinds, not the offline mutator', () => {
    assert.throws(
      () => parseProviderKind('gpt'),
      (e: Error) => e instanceof UsageError && /--provider gpt is not a provider/.test(e.message),
    );
    assert.throws(
      () => parseProviderKind('vscode-lm'),
      (e: Error) => e instanceof UsageError && /only inside VS Code/.test(e.message),
    );
    assert.throws(
      () => createProvider({ kind: 'gpt' } as unknown as ProviderConfig),
      (e: Error) => e instanceof InputError && /provider\.kind 'gpt'/.test(e.message),
    );
    for (const k of CORE_PROVIDER_KINDS) assert.equal(parseProviderKind(k), k);
  });

  it('builds each core provider from its entry', () => {
    assert.equal(createProvider({ kind: 'offline' }).kind, 'offline');
    assert.equal(createProvider({ kind: 'anthropic', model: 'm1' }, { apiKey: 'k' }).model, 'm1');
    assert.equal(
      createProvider({ kind: 'openai-compatible', model: 'm2', baseUrl: 'http://127.0.0.1:1' }, { apiKey: 'k' }).kind,
      'openai-compatible',
    );
  });

  it('secrets and per-provider settings come from the entry', () => {
    assert.deepEqual(secretFor('anthropic'), { secret: 'codecEvolution.anthropicApiKey', env: 'ANTHROPIC_API_KEY', required: true });
    // A local OpenAI-compatible server may run without a key: its key is optional.
    assert.ok(!secretFor('openai-compatible')?.required);
    assert.equal(secretFor('offline'), null);
    assert.ok(SECRET_ENV.includes('OPENAI_API_KEY') && SECRET_ENV.includes('ANTHROPIC_API_KEY'));
    const set: Record<string, unknown> = {
      provider: 'openai-compatible',
      'openaiCompatible.baseUrl': 'http://127.0.0.1:9',
      'anthropic.baseUrl': 'http://x',
    };
    const o = engineOverrides(<T>(k: string) => set[k] as T | undefined);
    assert.equal(o.baseUrl, 'http://127.0.0.1:9');
  });
});

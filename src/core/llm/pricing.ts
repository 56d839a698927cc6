// Dollars per call from token counts. The table holds list prices (USD per million tokens) and can be
// overridden per workspace, because prices change and self-hosted models cost nothing per token.

export interface Price {
  inputPerMTok: number;
  outputPerMTok: number;
  /** Prompt-cache writes and reads; absent: 1.25x and 0.1x the input price (Anthropic's 5-minute cache). */
  cacheWritePerMTok?: number;
  cacheReadPerMTok?: number;
}

const CACHE_WRITE_FACTOR = 1.25;
const CACHE_READ_FACTOR = 0.1;

const DEFAULT_PRICES: Record<string, Price> = {
  'claude-opus-4': { inputPerMTok: 15, outputPerMTok: 75 },
  'claude-opus-4-1': { inputPerMTok: 15, outputPerMTok: 75 },
  'claude-sonnet-4': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-sonnet-4-5': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-3-7-sonnet': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-3-5-sonnet': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-haiku-4-5': { inputPerMTok: 1, outputPerMTok: 5 },
  'claude-3-5-haiku': { inputPerMTok: 0.8, outputPerMTok: 4 },
  'claude-opus-4-5': { inputPerMTok: 5, outputPerMTok: 25 },
  'claude-opus-4-6': { inputPerMTok: 5, outputPerMTok: 25 },
  'claude-sonnet-4-6': { inputPerMTok: 3, outputPerMTok: 15 },
  // Family fallbacks for names newer than this table: an unknown model is priced like its family
  // (Opus at the highest list price), never as free, so a dollar budget still stops the loop.
  'claude-opus': { inputPerMTok: 15, outputPerMTok: 75 },
  'claude-sonnet': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-haiku': { inputPerMTok: 1, outputPerMTok: 5 },
  claude: { inputPerMTok: 15, outputPerMTok: 75 },
};

/** The price of a model: an exact override first, then the longest table key that prefixes the name
 * (so dated names like claude-sonnet-4-5-20250929 find their family), else zero. */
export function priceFor(model: string, override?: Price, table: Record<string, Price> = DEFAULT_PRICES): Price {
  if (override) return override;
  let best: string | undefined;
  for (const key of Object.keys(table)) if (model.startsWith(key) && (!best || key.length > best.length)) best = key;
  return best ? table[best] : { inputPerMTok: 0, outputPerMTok: 0 };
}

/** `inputTokens` is every input token, cached or not; `cache` says how many of them were written to or
 * read from the prompt cache. */
export function costUsd(inputTokens: number, outputTokens: number, price: Price, cache: { write?: number; read?: number } = {}): number {
  const write = cache.write ?? 0,
    read = cache.read ?? 0;
  const plain = Math.max(0, inputTokens - write - read);
  const writePrice = price.cacheWritePerMTok ?? price.inputPerMTok * CACHE_WRITE_FACTOR;
  const readPrice = price.cacheReadPerMTok ?? price.inputPerMTok * CACHE_READ_FACTOR;
  return (plain * price.inputPerMTok + write * writePrice + read * readPrice + outputTokens * price.outputPerMTok) / 1e6;
}

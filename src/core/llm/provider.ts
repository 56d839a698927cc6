// One interface for every model backend. The engine sends a system text and a conversation; a
// provider returns the text plus what it cost. Streaming backends report text as it arrives.

/** The default output limit: the largest block of the hybrid seed (mode-decision, 48,195 chars ≈ 13,800
 * tokens at 3.5 chars/token) rewritten at twice its size, plus the hypothesis, fits; the seed keeps
 * growing, and a reply cut off at the limit is lost (failure class `truncated`). */
export const DEFAULT_MAX_TOKENS = 32000;

/** A piece of a message; `cache` ends a prefix the provider may cache (Anthropic: a cache_control
 * breakpoint). `content` is always the parts joined, for providers without caching. */
export interface MessagePart {
  text: string;
  cache?: boolean;
}

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
  parts?: MessagePart[];
}

/** What the program database knows about the request; the offline mutator works from this alone,
 * the language-model providers get the same facts inside the prompt text. */
interface ProposalContext {
  parentCode: string;
  /** Other good programs (top and diverse), for crossover. */
  inspirations: string[];
  /** The parent's own parent and both training scores (lower is better), when known: the step that
   * made the parent, which the offline mutator may repeat (momentum). */
  grandparent?: { code: string; score: number; parentScore: number };
  /** 0..1: how far a mutation may move (stagnation raises it). */
  mutationScale: number;
  strategy: string;
  /** Deterministic per candidate, so a resumed run proposes the same thing. */
  seed: number;
  /** The EVOLVE-BLOCK this proposal should work on, when the engine chose one. */
  focusBlock?: string;
}

export interface CompletionRequest {
  system: string;
  /** The system text in parts, for providers that cache a stable prefix (joined, they equal `system`). */
  systemParts?: MessagePart[];
  messages: ChatMessage[];
  maxTokens?: number;
  signal?: AbortSignal;
  /**
   * Epoch ms by which the whole call (every retry included) must be done: the engine passes the end
   * of the wall-clock budget. A stream that keeps sending keep-alives is never idle, so only a total
   * deadline bounds it.
   */
  deadline?: number;
  onText?: (delta: string) => void;
  context?: ProposalContext;
}

/** An answer longer than this is no edit of a codec; refused before it is stored or sent back. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
/** Longest a single model call may take when no earlier deadline applies. */
const DEFAULT_CALL_TIMEOUT_MS = 15 * 60_000;

/** The call's deadline: the request's, or DEFAULT_CALL_TIMEOUT_MS (or `callTimeoutMs`) from now. */
export function callDeadline(req: CompletionRequest, callTimeoutMs = DEFAULT_CALL_TIMEOUT_MS): number {
  return Math.min(req.deadline ?? Infinity, Date.now() + callTimeoutMs);
}

export function responseTooLarge(bytes: number, limit: number): string {
  return `the model's response passed ${bytes} bytes, over the ${limit}-byte cap — nothing of it was kept`;
}

export interface CompletionResult {
  text: string;
  model: string;
  /** inputTokens counts every input token; cacheWriteTokens and cacheReadTokens are the parts of it
   * written to and read from the provider's prompt cache (priced at their own rates). */
  usage: { inputTokens: number; outputTokens: number; cacheWriteTokens?: number; cacheReadTokens?: number };
  costUsd: number;
  stopReason?: string;
  /** Retries the backend (or SDK) made before this answer. */
  retries?: number;
}

export interface LlmProvider {
  readonly kind: string;
  readonly model: string;
  complete(req: CompletionRequest): Promise<CompletionResult>;
}

// One interface for every model backend. The engine sends a system text and a conversation; a
// provider returns the text plus what it cost. Streaming backends report text as it arrives.

export interface ChatMessage { role: 'user' | 'assistant'; content: string }

/** What the program database knows about the request; the offline mutator works from this alone,
 * the language-model providers get the same facts inside the prompt text. */
export interface ProposalContext {
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
}

export interface CompletionRequest {
  system: string;
  messages: ChatMessage[];
  maxTokens?: number;
  signal?: AbortSignal;
  onText?: (delta: string) => void;
  context?: ProposalContext;
}

export interface CompletionResult {
  text: string;
  model: string;
  usage: { inputTokens: number; outputTokens: number };
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

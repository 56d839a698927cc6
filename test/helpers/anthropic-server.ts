// A real HTTP server on 127.0.0.1 that speaks the Anthropic Messages API (JSON and SSE streaming),
// answering from a script, so the SDK can be pointed at it by baseURL in tests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MessagesRequest {
  model: string;
  max_tokens: number;
  stream?: boolean;
  system?: string | Array<{ type: string; text: string; cache_control?: { type: string } }>;
  messages: Array<{ role: string; content: string | Array<{ type: string; text?: string; cache_control?: { type: string } }> }>;
}

export type Reply =
  | {
      kind: 'text';
      text: string;
      inputTokens?: number;
      outputTokens?: number;
      /** 'end_turn' unless given; 'max_tokens' makes a reply cut off at the output limit. */
      stopReason?: string;
      cacheCreationInputTokens?: number;
      cacheReadInputTokens?: number;
    }
  | { kind: 'status'; status: number; errorType: string; message?: string }
  | { kind: 'stall' }
  /** A stream that never ends but is never idle either: a ping event every `everyMs`. */
  | { kind: 'trickle'; everyMs: number };

export type Script = (req: MessagesRequest, n: number) => Reply;

/** What GET /v1/models lists (Anthropic's Models API), newest first. */
export const MOCK_MODELS = [
  { id: 'claude-sonnet-4-6', display_name: 'Claude Sonnet 4.6', created_at: '2026-02-17T00:00:00Z' },
  { id: 'claude-opus-4-6', display_name: 'Claude Opus 4.6', created_at: '2026-02-05T00:00:00Z' },
  { id: 'claude-haiku-4-5-20251001', display_name: 'Claude Haiku 4.5', created_at: '2025-10-15T00:00:00Z' },
];

export interface MockAnthropic {
  baseURL: string;
  requests: MessagesRequest[];
  /** The API key each GET /v1/models request carried (x-api-key or Bearer, as the SDK version sends it). */
  modelListKeys: string[];
  close(): Promise<void>;
}

/** The system text, whether sent as a string or as content blocks. */
export function systemText(req: MessagesRequest): string {
  return typeof req.system === 'string' ? req.system : (req.system ?? []).map((b) => b.text).join('');
}

/** Every text of the request (system and all messages), for scripts that look for the parent's code. */
export function allText(req: MessagesRequest): string {
  return [
    systemText(req),
    ...req.messages.map((m) => (typeof m.content === 'string' ? m.content : m.content.map((c) => c.text ?? '').join(''))),
  ].join('\n');
}

export function lastUserText(req: MessagesRequest): string {
  const m = [...req.messages].reverse().find((x) => x.role === 'user');
  if (!m) return '';
  return typeof m.content === 'string' ? m.content : m.content.map((c) => c.text ?? '').join('');
}

function sse(res: ServerResponse, event: string, data: object): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** Prompt caching as the API does it, closely enough to measure a prompt's layout: each block with
 * cache_control ends a prefix (system blocks first, then message blocks in order); a prefix seen before
 * is read from the cache, the longest new one is written; prefixes under 1024 tokens are not cached.
 * Tokens are estimated at 3.5 characters each. */
class PromptCache {
  private readonly seen = new Set<string>();
  usage(req: MessagesRequest): { input: number; write: number; read: number } {
    const blocks: Array<{ text: string; cache: boolean }> = [];
    if (typeof req.system === 'string') blocks.push({ text: req.system, cache: false });
    else for (const b of req.system ?? []) blocks.push({ text: b.text, cache: !!b.cache_control });
    for (const m of req.messages) {
      if (typeof m.content === 'string') blocks.push({ text: m.content, cache: false });
      else for (const c of m.content) blocks.push({ text: c.text ?? '', cache: !!c.cache_control });
    }
    const tokens = (n: number) => Math.ceil(n / 3.5);
    let chars = 0,
      read = 0,
      write = 0;
    const prefixes: Array<{ key: string; tokens: number }> = [];
    let text = '';
    for (const b of blocks) {
      text += b.text + '\u0000';
      chars += b.text.length;
      if (b.cache && tokens(chars) >= 1024) prefixes.push({ key: text, tokens: tokens(chars) });
    }
    for (const p of prefixes) if (this.seen.has(p.key)) read = p.tokens;
    const last = prefixes[prefixes.length - 1];
    if (last && !this.seen.has(last.key)) write = last.tokens - read;
    for (const p of prefixes) this.seen.add(p.key);
    return { input: tokens(chars) - read - write, write, read };
  }
}

export interface MockOptions {
  /** Simulate prompt caching (see PromptCache) for replies that do not give their own token counts. */
  promptCache?: boolean;
}

export async function startMockAnthropic(script: Script, options: MockOptions = {}): Promise<MockAnthropic> {
  const requests: MessagesRequest[] = [];
  const promptCache = options.promptCache ? new PromptCache() : undefined;
  const modelListKeys: string[] = [];
  const open = new Set<ServerResponse>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      if (req.method === 'GET' && req.url?.startsWith('/v1/models')) {
        modelListKeys.push(String(req.headers['x-api-key'] ?? req.headers.authorization?.replace(/^Bearer /, '') ?? ''));
        const data = MOCK_MODELS.map((m) => ({ type: 'model', ...m }));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data, has_more: false, first_id: data[0].id, last_id: data[data.length - 1].id }));
        return;
      }
      if (req.method !== 'POST' || !req.url?.startsWith('/v1/messages')) {
        res.writeHead(404).end();
        return;
      }
      const parsed = JSON.parse(body) as MessagesRequest;
      requests.push(parsed);
      const reply = script(parsed, requests.length);
      if (reply.kind === 'status') {
        res.writeHead(reply.status, { 'content-type': 'application/json', 'retry-after-ms': '5', 'x-should-retry': 'true' });
        res.end(JSON.stringify({ type: 'error', error: { type: reply.errorType, message: reply.message ?? reply.errorType } }));
        return;
      }
      const id = `msg_${requests.length}`;
      const model = parsed.model;
      const simulated = promptCache && reply.kind === 'text' && reply.inputTokens === undefined ? promptCache.usage(parsed) : undefined;
      const input = simulated ? simulated.input : reply.kind === 'text' ? (reply.inputTokens ?? 1000) : 10;
      const stop = reply.kind === 'text' ? (reply.stopReason ?? 'end_turn') : 'end_turn';
      const cache = simulated
        ? { cache_creation_input_tokens: simulated.write, cache_read_input_tokens: simulated.read }
        : reply.kind === 'text'
          ? { cache_creation_input_tokens: reply.cacheCreationInputTokens ?? 0, cache_read_input_tokens: reply.cacheReadInputTokens ?? 0 }
          : {};
      if (!parsed.stream) {
        const text = reply.kind === 'text' ? reply.text : '';
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id,
            type: 'message',
            role: 'assistant',
            model,
            content: [{ type: 'text', text }],
            stop_reason: stop,
            stop_sequence: null,
            usage: { input_tokens: input, output_tokens: reply.kind === 'text' ? (reply.outputTokens ?? 200) : 0, ...cache },
          }),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      sse(res, 'message_start', {
        type: 'message_start',
        message: {
          id,
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: input, output_tokens: 1, ...cache },
        },
      });
      if (reply.kind === 'stall') {
        open.add(res);
        res.on('close', () => open.delete(res));
        return;
      }
      if (reply.kind === 'trickle') {
        open.add(res);
        const t = setInterval(() => sse(res, 'ping', { type: 'ping' }), reply.everyMs);
        res.on('close', () => {
          clearInterval(t);
          open.delete(res);
        });
        return;
      }
      sse(res, 'content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
      // Several deltas, as a real stream sends.
      const chunks = reply.text.match(/[\s\S]{1,40}/g) ?? [];
      for (const c of chunks)
        sse(res, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: c } });
      sse(res, 'content_block_stop', { type: 'content_block_stop', index: 0 });
      sse(res, 'message_delta', {
        type: 'message_delta',
        delta: { stop_reason: stop, stop_sequence: null },
        usage: { output_tokens: reply.outputTokens ?? 200 },
      });
      sse(res, 'message_stop', { type: 'message_stop' });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}`,
    requests,
    modelListKeys,
    close: () =>
      new Promise<void>((r) => {
        for (const s of open) s.destroy();
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}

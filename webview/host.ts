// The webview's side of the channel: typed post, and state that survives the view being hidden
// (getState/setState is cheap, so the views do not need retainContextWhenHidden).
import type { ViewMessage, ViewState } from './protocol';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export interface Persisted {
  state?: ViewState;
  ui?: Record<string, unknown>;
}

const api: VsCodeApi = acquireVsCodeApi();

export function post(msg: ViewMessage): void {
  api.postMessage(msg);
}

export function loadPersisted(): Persisted {
  const s = api.getState();
  return s && typeof s === 'object' ? (s as Persisted) : {};
}

export function savePersisted(p: Persisted): void {
  api.setState(p);
}

// The webview's side of the channel: typed post, and state that survives the view being hidden
// (getState/setState is cheap, so the views do not need retainContextWhenHidden).
import { dispatch, message, type Handlers, type HostMessages, type ViewMessage, type ViewMessages, type ViewState } from './protocol';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface Persisted {
  state?: ViewState;
  ui?: Record<string, unknown>;
}

const api: VsCodeApi = acquireVsCodeApi();

export function post(msg: ViewMessage): void {
  api.postMessage(msg);
}

function load(): Persisted {
  const s = api.getState();
  return s && typeof s === 'object' ? (s as Persisted) : {};
}

let persisted: Persisted = load();

/** The last ViewState this webview rendered (after being hidden: until the host sends a fresh one). */
export function savedState(): ViewState | undefined {
  return persisted.state;
}

/** A view's own UI state (the dashboard's frame viewer), kept beside the last ViewState. */
export function savedUi<U extends object>(): Partial<U> | undefined {
  return persisted.ui as Partial<U> | undefined;
}

function save(p: Persisted): void {
  persisted = p;
  api.setState(p);
}

function rememberState(state: ViewState): void {
  save({ ...persisted, state });
}

export function rememberUi<U extends object>(ui: U): void {
  save({ ...persisted, ui: { ...ui } as Record<string, unknown> });
}

/** Both views' start: render the saved state at once (`fresh` false), then every state the host sends
 * (and keep it), with the view's other messages beside it; finally say 'ready' so the host sends a fresh state. */
export function receiveStates(
  view: ViewMessages['ready']['view'],
  render: (state: ViewState, fresh: boolean) => void,
  others: Omit<Handlers<HostMessages>, 'state'>,
): void {
  const saved = savedState();
  if (saved) render(saved, false);
  window.addEventListener('message', (e) => {
    dispatch<HostMessages>(
      {
        ...others,
        state: ({ state }) => {
          render(state, true);
          rememberState(state);
        },
      },
      e.data,
    );
  });
  post(message<ViewMessages, 'ready'>('ready', { view }));
}

// The status bar's text, pure so it is tested without VS Code.
import { formatBdRate, type ViewState } from '../../webview/protocol';

export function statusText(s: ViewState): string {
  const icon = s.running ? '$(sync~spin)' : '$(pulse)';
  const bd = s.best ? ` · ${s.primaryReference} ${formatBdRate(s.best.bdRate[s.primaryReference])}` : '';
  const queue = s.queue.length ? ` · $(diff) ${s.queue.length}` : '';
  return `${icon} Gen ${s.generation}${bd}${queue}`;
}

// Progress for work a person waits on: the notification appears only once the work has taken longer
// than a second, so quick answers (a reject, curves already in the cache) do not flash a toast, and
// slow ones never leave the person looking at nothing.
import * as vscode from 'vscode';

const PROGRESS_DELAY_MS = 1000;

export interface DelayedProgressOptions {
  cancellable?: boolean;
  delayMs?: number;
}

/** Runs `task` now; shows a notification with its latest message if it is still running after the delay.
 * Cancel (when cancellable) aborts the signal the task got. */
export function withDelayedProgress<T>(
  title: string,
  task: (report: (message: string) => void, signal: AbortSignal) => Promise<T>,
  opts: DelayedProgressOptions = {},
): Promise<T> {
  const ctl = new AbortController();
  let last: string | undefined;
  let shown: ((message: string) => void) | undefined;
  const work = Promise.resolve().then(() =>
    task((m) => {
      last = m;
      shown?.(m);
    }, ctl.signal),
  );
  const timer = setTimeout(() => {
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: !!opts.cancellable },
      (progress, token) => {
        token.onCancellationRequested(() => ctl.abort());
        shown = (message) => progress.report({ message });
        if (last) shown(last);
        return work.then(
          () => undefined,
          () => undefined,
        );
      },
    );
  }, opts.delayMs ?? PROGRESS_DELAY_MS);
  return work.finally(() => clearTimeout(timer));
}

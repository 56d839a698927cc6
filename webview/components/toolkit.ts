// The only file that touches @vscode/webview-ui-toolkit (archived January 2025). Every view builds
// its UI from these functions, so moving to @vscode-elements/elements is a change in this folder.
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeDataGrid,
  vsCodeDataGridCell,
  vsCodeDataGridRow,
  vsCodeDivider,
  vsCodeDropdown,
  vsCodeOption,
} from '@vscode/webview-ui-toolkit';

let registered = false;

export function registerComponents(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(
    vsCodeButton(),
    vsCodeDataGrid(),
    vsCodeDataGridCell(),
    vsCodeDataGridRow(),
    vsCodeDivider(),
    vsCodeDropdown(),
    vsCodeOption(),
  );
}

export interface ButtonOptions {
  appearance?: 'primary' | 'secondary';
  title?: string;
  /** A stable hook for tests and the e2e suite. */
  action?: string;
  disabled?: boolean;
}

export function button(label: string, onClick: () => void, opts: ButtonOptions = {}): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = label;
  b.setAttribute('appearance', opts.appearance ?? 'primary');
  if (opts.title) b.title = opts.title;
  if (opts.action) b.dataset.action = opts.action;
  if (opts.disabled) b.setAttribute('disabled', '');
  b.addEventListener('click', () => {
    if (!b.hasAttribute('disabled')) onClick();
  });
  return b;
}

/** A count badge drawn by our stylesheet: the toolkit's badge template sets a style="" attribute,
 * which our CSP (no 'unsafe-inline' styles) refuses. */
export function badge(text: string): HTMLElement {
  const b = document.createElement('span');
  b.className = 'count-badge';
  b.textContent = text;
  return b;
}

/** A state label; ours for the same CSP reason as badge (vscode-tag reuses the badge template). */
export function tag(text: string): HTMLElement {
  const t = document.createElement('span');
  t.className = 'state-tag';
  t.dataset.state = text;
  t.textContent = text;
  return t;
}

/** A busy indicator drawn by our stylesheet: the toolkit's progress ring sets a style="" attribute
 * in its template, which our CSP (no 'unsafe-inline' styles) refuses. */
export function spinner(): HTMLElement {
  const s = document.createElement('span');
  s.className = 'spinner';
  s.setAttribute('role', 'progressbar');
  s.setAttribute('aria-label', 'running');
  return s;
}

export function dropdown(
  options: Array<{ value: string; label: string }>,
  value: string,
  onChange: (v: string) => void,
  action?: string,
): HTMLElement {
  const d = document.createElement('vscode-dropdown') as HTMLElement & { value: string };
  if (action) d.dataset.action = action;
  for (const o of options) {
    const opt = document.createElement('vscode-option') as HTMLElement & { value: string };
    opt.setAttribute('value', o.value);
    opt.textContent = o.label;
    if (o.value === value) opt.setAttribute('selected', '');
    d.appendChild(opt);
  }
  d.addEventListener('change', () => onChange(d.value));
  return d;
}

export type Cell = string | number | Node;

/** A read-only grid; `headers` become the header row, cells may hold buttons. */
export function table(headers: string[], rows: Cell[][], opts: { columns?: string; kind?: string } = {}): HTMLElement {
  const grid = document.createElement('vscode-data-grid');
  if (opts.columns) grid.setAttribute('grid-template-columns', opts.columns);
  if (opts.kind) grid.dataset.kind = opts.kind;
  grid.setAttribute('aria-label', opts.kind ?? 'table');
  const row = (cells: Cell[], header: boolean): HTMLElement => {
    const r = document.createElement('vscode-data-grid-row');
    if (header) r.setAttribute('row-type', 'header');
    cells.forEach((c, i) => {
      const cell = document.createElement('vscode-data-grid-cell');
      cell.setAttribute('grid-column', String(i + 1));
      if (header) cell.setAttribute('cell-type', 'columnheader');
      if (c instanceof Node) cell.appendChild(c);
      else cell.textContent = String(c);
      r.appendChild(cell);
    });
    return r;
  };
  grid.appendChild(row(headers, true));
  for (const cells of rows) grid.appendChild(row(cells, false));
  return grid;
}

// Inline diff review: the current best (left) against a candidate (right) as read-only virtual
// documents, Accept/Reject in the editor title and a CodeLens with the candidate's numbers.
import * as vscode from 'vscode';
import type { Controller } from './controller';
import { blocksLensText, candidateLensText, hypothesisLensText } from './codelens-text';
import { changedBlocks } from '../core/codec/blocks';
import { parseReviewPath, reviewPath, SCHEME, type ReviewDoc } from './review-uri';
import { formatBdRate } from '../../webview/protocol';
import { firstChangedLine } from '../core/evolution/diff';

/** Opens a review at its first change instead of line 1 (a seed's header is hundreds of lines long). */
function firstChange(a: string, b: string): vscode.Range {
  const line = firstChangedLine(a, b);
  return new vscode.Range(line, 0, line, 0);
}

export class ReviewDocuments implements vscode.TextDocumentContentProvider, vscode.CodeLensProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly lensChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensChanged.event;

  constructor(private readonly controller: () => Controller) {}

  uri(d: ReviewDoc): vscode.Uri {
    return vscode.Uri.from({ scheme: SCHEME, path: reviewPath(d) });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const cached = this.texts.get(uri.toString());
    if (cached !== undefined) return cached;
    const d = parseReviewPath(uri.path);
    if (!d) return `// unknown review document ${uri.toString()}`;
    const c = this.controller();
    if (d.kind === 'version') return c.version(d.version).code;
    const detail = await c.candidate(d.id);
    return d.kind === 'candidate' ? detail.code : detail.baseCode;
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const d = parseReviewPath(doc.uri.path);
    if (!d || d.kind !== 'candidate') return [];
    const snap = this.controller().currentSnapshot;
    const rec = snap.candidates.find((c) => c.id === d.id);
    if (!rec) return [];
    const parent = rec.parentId ? snap.candidates.find((c) => c.id === rec.parentId) : undefined;
    const top = new vscode.Range(0, 0, 0, 0);
    // Actions first: a narrow diff side truncates the line, and the decision must stay reachable.
    const lenses =
      rec.state === 'pending-review' && !vscode.workspace.isTrusted
        ? [new vscode.CodeLens(top, { title: '$(shield) Restricted Mode: trust the workspace to accept or reject', command: '' })]
        : rec.state === 'pending-review'
          ? [
              new vscode.CodeLens(top, { title: '$(check) Accept', command: 'codecEvolution.accept', arguments: [doc.uri] }),
              new vscode.CodeLens(top, { title: '$(close) Reject…', command: 'codecEvolution.reject', arguments: [doc.uri] }),
            ]
          : [new vscode.CodeLens(top, { title: `state: ${rec.state}`, command: '' })];
    lenses.push(
      new vscode.CodeLens(top, {
        title: candidateLensText(rec, parent, snap.primaryReference ?? 'x264'),
        command: 'codecEvolution.openDashboard',
      }),
      new vscode.CodeLens(top, { title: hypothesisLensText(rec), command: '' }),
    );
    const base = this.texts.get(this.uri({ kind: 'parent', id: d.id }).toString());
    if (base !== undefined)
      lenses.push(new vscode.CodeLens(top, { title: blocksLensText(base, doc.getText(), rec.focusBlock), command: '' }));
    return lenses;
  }

  /** Opens the diff for candidate `id`: the current best version (left) against it (right). */
  async open(id: string): Promise<void> {
    const detail = await this.controller().candidate(id);
    const left = this.uri({ kind: 'parent', id });
    const right = this.uri({ kind: 'candidate', id });
    this.texts.set(left.toString(), detail.baseCode);
    this.texts.set(right.toString(), detail.code);
    this.changed.fire(left);
    this.changed.fire(right);
    this.lensChanged.fire();
    const bd = (v: number | undefined) => formatBdRate(v ?? null);
    const base = this.controller().currentSnapshot.versions.find((v) => v.version === detail.baseVersion);
    const blocks = changedBlocks(detail.baseCode, detail.code).map((c) => c.name);
    const title =
      `v${detail.baseVersion} (best ${bd(base?.trainingBdRate)}) ↔ ${id} (review ${bd(detail.record.metrics?.trainingBdRate)})` +
      (blocks.length ? ` · ${blocks.length > 3 ? `${blocks.slice(0, 3).join(', ')} +${blocks.length - 3}` : blocks.join(', ')}` : '');
    // The CodeLens with the numbers needs diffEditor.codeLens, which this extension turns on by default.
    await vscode.commands.executeCommand('vscode.diff', left, right, title, {
      preview: false,
      selection: firstChange(detail.baseCode, detail.code),
    });
  }

  async compare(a: number, b: number): Promise<void> {
    const c = this.controller();
    const va = c.version(a),
      vb = c.version(b);
    const left = this.uri({ kind: 'version', version: a });
    const right = this.uri({ kind: 'version', version: b });
    this.texts.set(left.toString(), va.code);
    this.texts.set(right.toString(), vb.code);
    this.changed.fire(left);
    this.changed.fire(right);
    await vscode.commands.executeCommand('vscode.diff', left, right, `v${a} ↔ v${b}`, { selection: firstChange(va.code, vb.code) });
  }

  /** Closes the review tabs of candidate `id` once it is decided. */
  async closeReview(id: string): Promise<void> {
    const right = this.uri({ kind: 'candidate', id }).toString();
    const tabs = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === right);
    if (tabs.length) await vscode.window.tabGroups.close(tabs);
    this.lensChanged.fire();
  }

  dispose(): void {
    this.changed.dispose();
    this.lensChanged.dispose();
  }
}

/** The candidate a command means: the one in the review editor it was invoked from, or the active one. */
export function candidateFromUri(uri: unknown): string | undefined {
  const u = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
  if (!u || u.scheme !== SCHEME) return undefined;
  const d = parseReviewPath(u.path);
  return d && (d.kind === 'candidate' || d.kind === 'parent') ? d.id : undefined;
}

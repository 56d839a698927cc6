// Validate Codec: the sandbox's static validator on the active document, its findings in the
// Problems panel at their exact ranges, and again on every save of a document once validated.
// Runs in-process: it only parses (acorn) and never executes the candidate, so it is fast and safe
// even in Restricted Mode.
import * as vscode from 'vscode';
import type { Diagnostic as CodecDiagnostic } from '../core/sandbox/validator';
import { errorMessage } from '../core/errors';
import { requireCodecLanguage } from './codec-language';

type ValidateFn = (source: string, filename: string) => CodecDiagnostic[];
let validateFn: ValidateFn | undefined;
function validator(): ValidateFn {
  // Loaded on first use: acorn and the validator stay out of activation.
  validateFn ??= (require('../core/sandbox/validator') as typeof import('../core/sandbox/validator')).validateSource;
  return validateFn;
}

/** 1-based validator positions → a VS Code range (0-based), at least one character wide. */
function toRange(d: CodecDiagnostic): vscode.Range {
  const start = new vscode.Position(Math.max(0, d.line - 1), Math.max(0, d.column - 1));
  let end = new vscode.Position(Math.max(0, d.endLine - 1), Math.max(0, d.endColumn - 1));
  if (!end.isAfter(start)) end = start.translate(0, 1);
  return new vscode.Range(start, end);
}

export class CodecValidation implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('codec-evolution');
  private readonly watched = new Set<string>();
  private readonly subs: vscode.Disposable[] = [];

  /** `root`: the extension's folder, where esbuild would be resolved for TypeScript codecs. */
  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly root: string,
  ) {
    this.subs.push(
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (!this.watched.has(doc.uri.toString())) return;
        // The Validate Codec command already showed why a file cannot be validated; a save only logs it.
        try {
          this.validate(doc);
        } catch (e) {
          this.log.warn(`validate on save: ${errorMessage(e)}`);
        }
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        this.watched.delete(doc.uri.toString());
        this.collection.delete(doc.uri);
      }),
    );
  }

  /** Returns the number of problems found; throws an EnvironmentError for a file it cannot validate here. */
  validate(doc: vscode.TextDocument): number {
    this.watched.add(doc.uri.toString());
    requireCodecLanguage(doc.fileName, this.root);
    const t0 = Date.now();
    const found = validator()(doc.getText(), doc.fileName);
    const diags = found.map((d) => {
      const v = new vscode.Diagnostic(toRange(d), d.message, vscode.DiagnosticSeverity.Error);
      v.source = 'codec-evolution';
      v.code = d.class;
      return v;
    });
    this.collection.set(doc.uri, diags);
    this.log.info(`validated ${vscode.workspace.asRelativePath(doc.uri)}: ${diags.length} problem(s) in ${Date.now() - t0} ms`);
    return diags.length;
  }

  dispose(): void {
    this.collection.dispose();
    for (const s of this.subs) s.dispose();
  }
}

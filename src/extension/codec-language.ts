// Which codec files the extension can run. JavaScript needs nothing; TypeScript is compiled by esbuild,
// which the packaged .vsix does not ship (its JS API needs its native binary from node_modules), so a
// .ts codec there gets one clear environment error up front instead of an error from deep inside the
// validator or, in Evaluate, a pile of syntax errors from reading TypeScript as JavaScript.
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { EnvironmentError } from '../core/errors';

export function isTypeScriptCodec(filename: string): boolean {
  return /\.(ts|mts|cts)$/i.test(filename);
}

/** Whether esbuild resolves from `root` the way the validator resolves it (createRequire beside the bundle). */
export function esbuildResolves(root: string): boolean {
  try {
    createRequire(join(root, 'dist', 'extension.js')).resolve('esbuild');
    return true;
  } catch {
    return false;
  }
}

/** Throws the EnvironmentError a TypeScript codec gets where esbuild cannot be loaded from the
 * extension's folder `root`; does nothing for JavaScript codecs or where esbuild is there. */
export function requireCodecLanguage(filename: string, root: string): void {
  if (!isTypeScriptCodec(filename) || esbuildResolves(root)) return;
  throw new EnvironmentError(
    `${basename(filename)} is TypeScript, and TypeScript codecs need esbuild, which this installation of the extension does not include`,
    `save the codec as a .js file (plain JavaScript, same exports), or install esbuild where the extension can resolve it: run \`npm install esbuild\` in ${root} and reload the window`,
  );
}

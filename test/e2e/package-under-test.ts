// What every e2e suite drives: the packaged .vsix of this checkout, its extension id, where screenshots
// go, and a file walker for the extension's logs in code-server's user-data folder.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const repo = join(__dirname, '..', '..');
export const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  name: string;
  publisher: string;
  version: string;
};
export const extensionId = `${manifest.publisher}.${manifest.name}`;
export const vsix = process.env.CODEC_E2E_VSIX ?? join(repo, `${manifest.name}-${manifest.version}.vsix`);
export const shots = join(repo, 'test', '.tmp', 'e2e');

export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

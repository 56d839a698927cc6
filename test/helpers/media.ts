// The clips the tests read, carried in the repository (test/fixtures/media, sources and licences in
// its README), so a fresh clone with nothing beside it runs the whole suite.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/paths';

export const TEST_MEDIA = join(packageRoot(), 'test', 'fixtures', 'media');
export const testClip = (file: string): string => join(TEST_MEDIA, file);
export const TREE_CLIP = testClip('tree_building_80x44_15f.y4m');

/** Writes two frames of the tree clip as 10-bit 4:2:0 Y4M with ffmpeg (input the readers must refuse); returns `file`. */
export function writeTenBitY4M(file: string): string {
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', TREE_CLIP, '-frames:v', '2', '-strict', '-1', '-pix_fmt', 'yuv420p10le', file]);
  return file;
}

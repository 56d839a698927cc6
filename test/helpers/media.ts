// The clips the tests read, carried in the repository (test/fixtures/media, sources and licences in
// its README), so a fresh clone with nothing beside it runs the whole suite.
import { join } from 'node:path';
import { packageRoot } from '../../src/core/paths';

export const TEST_MEDIA = join(packageRoot(), 'test', 'fixtures', 'media');
export const testClip = (file: string): string => join(TEST_MEDIA, file);
export const TREE_CLIP = testClip('tree_building_80x44_15f.y4m');

// The CLI's command table. Each command lives in its own file in this folder.
import type { Command } from '../command';

export const commands: Command[] = [
];

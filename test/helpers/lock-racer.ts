// One contender for a workspace lock, as its own process: says "ready", waits for "go" on stdin (so
// every racer starts at the same moment), tries to take the lock, prints what happened, and holds a
// lock it took until its stdin closes (a live holder, as a running loop would be).
import { readSync } from 'node:fs';
import { WorkspaceLock } from '../../src/core/store/lock';

const lock = new WorkspaceLock(process.argv[2]);
process.stdout.write('ready\n');
const b = Buffer.alloc(3);
readSync(0, b, 0, 3, null);
let line: string;
try {
  lock.acquire('racer');
  line = 'acquired';
} catch (e) {
  line = `refused ${(e as Error).message}`;
}
process.stdout.write(line + '\n');
if (line === 'acquired') {
  process.stdin.resume();
  process.stdin.on('end', () => {
    lock.release();
    process.exit(0);
  });
}

import type { Command } from '../command';
import { parse } from '../args';
import { UsageError } from '../../core/errors';
import { QueueWorker } from '../../core/queue/worker';

export const worker: Command = {
  name: 'worker',
  summary: 'run evaluation jobs from a Redis queue (for evolve --queue on this or another machine)',
  usage: `codec-evolve worker --queue redis://HOST:PORT [--concurrency N] [--cache-dir DIR] [--ffmpeg PATH] [--lock-seconds S]
  Takes evaluation jobs that 'codec-evolve evolve --queue URL' sends, runs them in this machine's sandbox and
  sends the results back. Runs until Ctrl+C (a job cut short goes to another worker). rediss:// uses TLS; a
  password goes in the URL (redis://:PASSWORD@HOST:PORT) and is never printed. Clips and reference results are
  cached in DIR (default ~/.cache/codec-evolution). --lock-seconds: how soon the job of a worker that died is
  given to another (default 30). Never expose Redis to the internet: whoever reaches it runs code here.`,
  async run(argv, io) {
    const { values } = parse(
      argv,
      {
        queue: { type: 'string' },
        concurrency: { type: 'string' },
        'cache-dir': { type: 'string' },
        ffmpeg: { type: 'string' },
        'lock-seconds': { type: 'string' },
      },
      'worker',
    );
    if (!values.queue) throw new UsageError('worker needs --queue redis://HOST:PORT', "the same URL as 'codec-evolve evolve --queue'");
    const concurrency = values.concurrency === undefined ? 1 : Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new UsageError(`--concurrency ${values.concurrency} is not a positive integer`);
    const lock = values['lock-seconds'] === undefined ? 30 : Number(values['lock-seconds']);
    if (!Number.isFinite(lock) || lock < 1) throw new UsageError(`--lock-seconds ${values['lock-seconds']} is not a number of seconds ≥ 1`);
    const stamp = () => new Date().toISOString().slice(11, 19);
    const w = await QueueWorker.start({
      url: values.queue,
      concurrency,
      cacheDir: values['cache-dir'],
      ffmpegPath: values.ffmpeg,
      lockMs: Math.round(lock * 1000),
      log: (l) => io.err(`${stamp()} ${l}`),
    });
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    io.err(`${stamp()} worker ${w.name}: stopping`);
    await w.close();
    return 130;
  },
};

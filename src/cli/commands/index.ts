// The CLI's command table. Each command lives in its own file in this folder.
import type { Command } from '../command';
import { metricsCommand } from './metrics';
import { bdrateCommand } from './bdrate';
import { baselineCommand } from './baseline';
import { doctorCommand } from './doctor';
import { init } from './init';
import { evolve } from './evolve';
import { status } from './status';
import { demo } from './demo';
import { history } from './history';
import { review } from './review';
import { report } from './report';
import { validate } from './validate';
import { evaluate } from './evaluate';
import { steer } from './steer';
import { ask } from './ask';
import { worker } from './worker';
import { clips } from './clips';

export const commands: Command[] = [
  metricsCommand,
  bdrateCommand,
  baselineCommand,
  doctorCommand,
  init,
  clips,
  evolve,
  status,
  history,
  review,
  steer,
  ask,
  report,
  demo,
  validate,
  evaluate,
  worker,
];

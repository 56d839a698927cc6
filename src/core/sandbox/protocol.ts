// The messages between the host (runner.ts) and a sandbox child (worker.ts). Framed by framing.ts:
// each has a JSON header and one binary payload.
import type { FailureClass } from './failures';

/** Host → child, once: what to run. */
export interface RunRequest {
  op: 'encode' | 'decode';
  script: string;
  filename: string;
  exports: { encode: string; decode: string; meta?: string };
  /** Seed of the candidate's Math.random (same seed in both children: determinism). */
  seed: number;
  /** encode: the video's shape; payload = planes y,u,v of each frame, concatenated. */
  video?: { width: number; height: number; fpsNum: number; fpsDen: number; frames: number };
  quality?: number;
  /** decode: the shape the harness expects back (the candidate never sees it); payload = bitstream. */
  expect?: { width: number; height: number; frames: number };
  /** decode: call decode twice on fresh copies of the bytes and compare. */
  checkDeterminism?: boolean;
  maxOutputBytes: number;
}

/** What the child found about its own runtime, measured rather than assumed. */
export interface RuntimeReport {
  node: string;
  electron?: string;
  /** process.permission exists (the permission model is on). */
  permissionModel: boolean;
  /** Each probe: true when the operation was refused. */
  denied?: { fsRead: boolean; fsWrite: boolean; childProcess: boolean; workerThreads: boolean; network: boolean };
  codegenFromStringsDisabled: boolean;
  wasmExposed: boolean;
  envKeys: string[];
}

/** Child → host. */
export type ChildMessage =
  | { type: 'hello'; runtime: RuntimeReport }
  | { type: 'loaded'; loadMs: number }
  | { type: 'started' }
  | { type: 'encoded'; ms: number; meta?: { name?: string; description?: string } }
  /** payload = planes y,u,v of each frame, concatenated. */
  | { type: 'decoded'; ms: number; width: number; height: number; frames: number }
  | { type: 'failure'; class: FailureClass; message: string; line?: number; column?: number };

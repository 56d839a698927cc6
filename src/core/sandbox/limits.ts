// Resource limits of one sandbox child. Each of encode and decode gets its own child and its own
// limits; the wall clock covers the child's whole job (start or hand-over, module load, the call).

export interface SandboxLimits {
  /**
   * Wall-clock limit per child, from spawn (or, for a child started ahead by a SandboxPool, from
   * hand-over of the job) to result; the whole process group is killed after it.
   */
  timeoutMs: number;
  /** V8 old-space cap (--max-old-space-size). */
  heapMb: number;
  /**
   * Resident-memory cap enforced by the host's watchdog (typed arrays live outside the V8 heap), for
   * the candidate's own use: 3 × the clip's raw frame bytes are added for the harness's copies.
   */
  rssMb: number;
  /** Largest bitstream encode may return; undefined = 2 × the raw input + 1 MiB. */
  maxOutputBytes?: number;
  /** How often the watchdog samples the child's resident memory. */
  rssPollMs: number;
  /** How much of the child's stderr is kept for the failure detail. */
  maxStderrBytes: number;
  /**
   * CPU seconds a child may use (RLIMIT_CPU, where prlimit exists), enforced by the kernel even
   * when the host is gone; undefined = 2 × the wall-clock limit + 5 s (GC threads add CPU time).
   */
  cpuSeconds?: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  timeoutMs: 120_000,
  heapMb: 1024,
  rssMb: 2048,
  rssPollMs: 20,
  maxStderrBytes: 16 * 1024,
};

export function resolveLimits(partial?: Partial<SandboxLimits>): SandboxLimits {
  const l = { ...DEFAULT_LIMITS, ...stripUndefined(partial ?? {}) };
  if (l.cpuSeconds !== undefined && !(Number.isInteger(l.cpuSeconds) && l.cpuSeconds > 0))
    throw new RangeError(`sandbox limit cpuSeconds must be a positive integer, got ${l.cpuSeconds}`);
  for (const k of ['timeoutMs', 'heapMb', 'rssMb', 'rssPollMs'] as const) {
    if (!Number.isFinite(l[k]) || l[k] <= 0) throw new RangeError(`sandbox limit ${k} must be a positive number, got ${l[k]}`);
  }
  return l;
}

/** A workspace's sandbox settings (config.json `limits`, set by codecEvolution.sandbox.*). */
interface ConfiguredLimits {
  timeoutMs?: number;
  /** Caps the JavaScript heap at this and resident memory at twice this (DEFAULT_LIMITS' ratio). */
  memoryMb?: number;
  maxOutputBytes?: number;
}

/**
 * The runner's limits from a workspace's settings — what the local pool and a queue worker (from the
 * job) both apply. memoryMb is the heap cap (--max-old-space-size); the resident-memory watchdog,
 * which also sees typed arrays outside the heap, allows twice it, as the defaults do (1024 / 2048).
 */
export function configuredLimits(c: ConfiguredLimits | undefined): Partial<SandboxLimits> {
  if (!c) return {};
  const l: Partial<SandboxLimits> = {};
  if (c.timeoutMs !== undefined) l.timeoutMs = c.timeoutMs;
  if (c.maxOutputBytes !== undefined) l.maxOutputBytes = c.maxOutputBytes;
  if (c.memoryMb !== undefined) {
    l.heapMb = c.memoryMb;
    l.rssMb = 2 * c.memoryMb;
  }
  return l;
}

/** The output cap for an input of `rawBytes`: a codec that doubles its input is already useless. */
export function outputCap(limits: SandboxLimits, rawBytes: number): number {
  return limits.maxOutputBytes ?? Math.min(2 * rawBytes + 1024 * 1024, 1024 * 1024 * 1024);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

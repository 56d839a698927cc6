// The one shape of a metric: frames go in one (reference, distorted) pair at a time, as the decoder
// hands them over, so no one holds a decoded clip; values come out per registry id at the end.
import type { Frame } from '../codec/contract';
import { PsnrAccumulator } from './psnr';
import type { MetricId, MetricValues } from './registry';
import { SsimAccumulator } from './ssim';

export interface MetricAccumulator {
  /** The registry ids `values()` fills. */
  readonly metrics: readonly MetricId[];
  add(reference: Frame, distorted: Frame): void;
  readonly frames: number;
  values(): MetricValues;
}

/** Every in-process metric at once (PSNR per plane and YUV, SSIM-Y): what an RD point is measured with. */
export class FrameMetrics implements MetricAccumulator {
  private readonly parts: MetricAccumulator[];
  readonly metrics: readonly MetricId[];

  constructor(width: number, height: number) {
    this.parts = [new PsnrAccumulator(width, height), new SsimAccumulator(width, height)];
    this.metrics = this.parts.flatMap((p) => p.metrics);
  }

  add(reference: Frame, distorted: Frame): void {
    for (const p of this.parts) p.add(reference, distorted);
  }

  get frames(): number {
    return this.parts[0].frames;
  }

  values(): MetricValues {
    return Object.assign({}, ...this.parts.map((p) => p.values())) as MetricValues;
  }
}

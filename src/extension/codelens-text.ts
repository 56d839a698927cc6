// The one line a CodeLens shows above a candidate in review: its measured numbers against its
// parent's, so the person sees what the diff bought before deciding.
import type { CandidateRecord } from '../core/store/records';
import { formatBdRate } from '../../webview/protocol';
import { describeBlockChanges } from '../core/codec/blocks';

function delta(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b)) return '';
  const d = a - b;
  return ` (${d <= 0 ? '−' : '+'}${Math.abs(d).toFixed(1)} pts ${d < 0 ? 'better' : d > 0 ? 'worse' : 'same'})`;
}

const ms = (v: number | undefined): string => (v === undefined ? '—' : v >= 10000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);

export function candidateLensText(c: CandidateRecord, parent: CandidateRecord | undefined, reference: string): string {
  const m = c.metrics;
  const parentBd = parent?.metrics?.trainingBdRate ?? c.parentBdRate;
  const parts = [
    `${c.id}: BD-rate vs ${reference} ${formatBdRate(m?.trainingBdRate)}${delta(m?.trainingBdRate, parentBd)}, parent ${formatBdRate(parentBd)}`,
  ];
  if (m?.heldOutBdRate !== undefined)
    parts.push(`held-out ${formatBdRate(m.heldOutBdRate)}${delta(m.heldOutBdRate, parent?.metrics?.heldOutBdRate)}`);
  if (m)
    parts.push(
      `encode ${ms(m.encodeMs)}${parent?.metrics ? ` (parent ${ms(parent.metrics.encodeMs)})` : ''}, decode ${ms(m.decodeMs)}${parent?.metrics ? ` (parent ${ms(parent.metrics.decodeMs)})` : ''}`,
    );
  return parts.join(' · ');
}

/** The model's stated hypothesis, one line, shown as a second lens. */
export function hypothesisLensText(c: CandidateRecord): string {
  const h = c.hypothesis.replace(/\s+/g, ' ').trim();
  const steer = c.directiveIds?.length ? ` · answering ${c.directiveIds.join(', ')}` : '';
  return `Hypothesis: ${h.length > 160 ? h.slice(0, 157) + '…' : h || '(none stated)'}${steer}`;
}

/** Which EVOLVE-BLOCKs the diff touches (left: the base shown, right: the candidate), and the focus the
 * prompt named, so the person knows where to look before reading the diff. */
export function blocksLensText(base: string, code: string, focusBlock?: string): string {
  return `Blocks changed: ${describeBlockChanges(base, code)}${focusBlock ? ` (focus was ${focusBlock})` : ''}`;
}

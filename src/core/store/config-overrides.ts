// Overrides a host applies over .codec-evolution/config.json (the extension's explicit codecEvolution.*
// settings), and the one merge that turns them into the next config. The engine child writes the result
// (engine-host `applyConfig`); a new setting that reaches the config adds a field here and a line below.
import type { WorkspaceConfig } from './config';
import type { Guard, MetricId } from '../metrics/registry';

export interface ConfigOverrides extends Partial<Pick<WorkspaceConfig, 'references' | 'ffmpegPath' | 'limits'>> {
  adoptionPolicy?: 'review' | 'auto' | 'off';
  objective?: MetricId;
  guards?: Guard[];
  gitCommit?: boolean;
  promptTokenBudget?: number;
  training?: string[];
  heldOut?: string[];
}

/** The config with the overrides applied; `cfg` is left as it was. */
export function mergeConfigOverrides(cfg: WorkspaceConfig, o: ConfigOverrides): WorkspaceConfig {
  const next: WorkspaceConfig = JSON.parse(JSON.stringify(cfg));
  if (o.references) {
    next.references = o.references;
    if (!o.references.includes(next.primaryReference)) next.primaryReference = o.references[0];
  }
  if (o.ffmpegPath) next.ffmpegPath = o.ffmpegPath;
  if (o.limits) next.limits = { ...next.limits, ...o.limits };
  if (o.adoptionPolicy) next.evolution.adoptionPolicy = o.adoptionPolicy;
  if (o.objective) next.evolution.objective = o.objective;
  if (o.guards) next.evolution.guards = o.guards;
  if (o.gitCommit !== undefined) next.evolution.gitCommit = o.gitCommit;
  if (o.promptTokenBudget !== undefined) next.evolution.promptTokenBudget = o.promptTokenBudget;
  if (o.training) next.clips.training = o.training.map((path) => ({ path }));
  if (o.heldOut) next.clips.heldOut = o.heldOut.map((path) => ({ path }));
  return next;
}

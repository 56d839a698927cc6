// The evolution loop: select parents from the program database, ask the provider for an edit, apply
// it inside the EVOLVE-BLOCKs, reject duplicates, run the cascade (smoke → training → held-out), judge
// against the parent and the adopted version, and record every step in the workspace. Every state
// change is a file written atomically before its event is logged, so a kill at any point resumes
// with nothing lost and nothing evaluated twice.
import { CancelledError, ProviderError, errorMessage } from '../errors';
import type { ChatMessage, LlmProvider } from '../llm/provider';
import { resolvedConcurrency, type BudgetConfig, type WorkspaceConfig } from '../store/config';
import type { CandidateFailure, CandidateMetrics, CandidateRecord, ClipScore, VersionRecord } from '../store/records';
import { meanBdRateTable } from '../metrics/bdrate';
import type { Guard, MetricId } from '../metrics/registry';
import { writeJsonAtomic } from '../store/atomic';
import { activeDirectives, listDirectives } from '../store/directives';
import type { Workspace } from '../store/workspace';
import { judge, stateAfterEvaluation } from './adoption';
import { adoptCandidate } from './review';
import { budgetExceeded } from './budget';
import { ProgramDatabase, type Program } from './database';
import { applyEdits, parseResponse } from './edits';
import type { ClipSpec, Evaluator, StageRequest, StageResult } from './evaluator';
import { failFastLimitMs } from './time-limit';
import { DEFAULT_LIMITS } from '../sandbox/limits';
import { analyzeFailures } from './failure-analysis';
import { codeHash } from './novelty';
import { buildPrompt, repairPrompt, truncatedRepairPrompt, type PromptFocus, type PromptProgram } from './prompts';
import { chooseFocus } from './focus';
import { blockNames, changedBlocks } from '../codec/blocks';
import { mixSeed, rng } from '../rng';
import { detectStagnation, mutationScaleFor, nextStrategy, type Strategy } from './stagnation';
import { basename, join } from 'node:path';
import { checkWorkspace, finishedInLog, lostCandidate } from '../store/integrity';
import type { EngineEventArgs, EngineEventListener, EngineEventType, EngineEvents } from '../events';
import { rmSync } from 'node:fs';

export interface EngineStatus {
  running: boolean;
  generation: number;
  candidates: number;
  evaluated: number;
  pendingReview: number;
  best?: { id: string; trainingBdRate: number };
  adoptedVersion?: number;
  adoptedBdRate?: number;
  strategy: Strategy;
  stagnation?: string;
  spentUsd: number;
  /** Input tokens (all of them; cacheRead/cacheWrite are the parts served from or written to a prompt cache). */
  tokens: { input: number; output: number; cacheRead?: number; cacheWrite?: number };
  stopReason?: string;
  evaluationsPerMinute?: number;
  /** Non-dominated programs over (training BD-rate, encode ms, decode ms). */
  paretoFront?: Array<{ id: string; trainingBdRate: number; encodeMs: number; decodeMs: number }>;
  /** What the BD-rates above are of: the objective's against the primary reference; and the guards. */
  scoring?: EngineScoring;
  /** The metric adoptedBdRate is of (a version adopted under an earlier objective keeps its own). */
  adoptedObjective?: MetricId;
}

/** The status of a workspace no loop has run in yet. */
export function idleStatus(): EngineStatus {
  return {
    running: false,
    generation: 0,
    candidates: 0,
    evaluated: 0,
    pendingReview: 0,
    strategy: 'refine',
    spentUsd: 0,
    tokens: { input: 0, output: 0 },
  };
}

export interface EngineScoring {
  objective: MetricId;
  reference: string;
  guards: Guard[];
}

function scoringOf(c: WorkspaceConfig): EngineScoring {
  return { objective: c.evolution.objective, reference: c.primaryReference, guards: c.evolution.guards.map((g) => ({ ...g })) };
}

/** The scoring a workspace's config sets; undefined while config.json cannot be read (status and
 * history still show what the records say, and the integrity check names the broken file). */
export function workspaceScoring(ws: Workspace): EngineScoring | undefined {
  try {
    return scoringOf(ws.readConfig());
  } catch {
    return undefined;
  }
}

export interface EngineRunOptions {
  /** Generations to run in this call (on top of what the workspace already has). */
  generations?: number;
  /** Stop once the workspace has completed this generation (for resumable scripted runs). */
  untilGeneration?: number;
  budgets?: BudgetConfig;
  concurrency?: number;
  /** Overrides evolution.promptTokenBudget for this run. */
  promptTokenBudget?: number;
}

export interface EngineOptions {
  provider: LlmProvider;
  evaluate: Evaluator;
  signal?: AbortSignal;
  onEvent?: EngineEventListener;
  contractText?: string;
}

export const STATUS_FILE = 'status.json';

function candidateId(generation: number, slot: number): string {
  return `g${String(generation).padStart(4, '0')}-${slot}`;
}

function meanBd(clips: ClipScore[], metric: MetricId, ref: string): number | undefined {
  const v = clips.map((c) => c.bdRate[metric]?.[ref]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : undefined;
}

/**
 * A record scored on `objective`: its stored per-metric table gives the training score of any metric,
 * so changing the objective re-reads, not re-measures. Records from before the metric registry only
 * hold PSNR-Y; under another objective they are left unscored (out of selection).
 */
export function rescored(r: CandidateRecord, objective: MetricId, reference: string): CandidateRecord {
  const m = r.metrics;
  if (!m || m.objective === objective) return r;
  const tr = m.trainingBdRates ?? meanBdRateTable(m.training.map((c) => c.bdRate));
  const ho = m.heldOutBdRates ?? (m.heldOut ? meanBdRateTable(m.heldOut.map((c) => c.bdRate)) : undefined);
  const { trainingBdRate: _t, heldOutBdRate: _h, ...rest } = m;
  const training = tr[objective]?.[reference],
    heldOut = ho?.[objective]?.[reference];
  return {
    ...r,
    metrics: {
      ...rest,
      objective,
      trainingBdRates: tr,
      ...(ho ? { heldOutBdRates: ho } : {}),
      ...(training !== undefined ? { trainingBdRate: training } : {}),
      ...(heldOut !== undefined ? { heldOutBdRate: heldOut } : {}),
    },
  };
}

function sumTimes(clips: ClipScore[]): { encodeMs: number; decodeMs: number } {
  let encodeMs = 0,
    decodeMs = 0;
  for (const c of clips)
    for (const p of c.points) {
      encodeMs += p.encodeMs;
      decodeMs += p.decodeMs;
    }
  return { encodeMs, decodeMs };
}

const STATIC_CLASSES = new Set(['syntax', 'forbidden', 'contract', 'edit-failed', 'no-code', 'truncated', 'duplicate', 'provider']);

export class Engine {
  readonly config: WorkspaceConfig;
  private db!: ProgramDatabase;
  private records = new Map<string, CandidateRecord>();
  private strategy: Strategy = 'refine';
  private stagnation?: string;
  private bestByGeneration: number[] = [];
  private adoptedVersionSeen?: number;
  /** Proposals made by this run's provider: a generation that only finished an interrupted run's
   * candidates asked the model nothing and does not count against the generations budget. */
  private proposalsThisRun = 0;
  private spentUsd = 0;
  private runStart = Date.now();
  /** Epoch ms at which the wall-clock budget ends: no model call may outlive it. */
  private wallDeadline?: number;
  private evaluationsThisRun = 0;
  private consecutiveProviderErrors = 0;
  private status: EngineStatus;
  /** Qualities fixed from the root's search, so candidates are measured at the same settings (less
   * noise, a third of the encodes); a candidate whose curve leaves the overlap is searched afresh. */
  private fixedQualities?: number[];
  private promptTokenBudget = 0;

  constructor(
    readonly ws: Workspace,
    private readonly opts: EngineOptions,
  ) {
    this.config = ws.readConfig();
    this.status = idleStatus();
  }

  /** Logs the event, then tells the host. */
  private emit<K extends EngineEventType>(type: K, data: EngineEvents[K]): void {
    this.ws.events.append(type, data);
    this.notify(type, data);
  }

  /** Tells the host only (warnings, status snapshots). */
  private notify<K extends EngineEventType>(type: K, data: EngineEvents[K]): void {
    this.opts.onEvent?.(...([type, data] as EngineEventArgs));
  }

  /** Rebuilds the database from the candidate records and replays events a crash may have lost. */
  private load(): void {
    const c = this.config.evolution;
    this.db = new ProgramDatabase({ islands: c.islands, archiveSize: c.eliteArchiveSize, migrationInterval: c.migrationInterval });
    const pruned = this.ws.pruneIncomplete();
    if (pruned.length)
      this.notify('warning', {
        message: `removed ${pruned.length} proposal(s) interrupted before they were recorded: ${pruned.join(', ')}`,
      });
    this.records = new Map(this.ws.listCandidates().map((r) => [r.id, rescored(r, c.objective, this.config.primaryReference)]));
    const { events, warnings } = this.ws.events.read();
    for (const w of warnings) this.notify('warning', { message: w });
    // The log is the source of truth: say what the files lost, and never run a logged candidate twice.
    for (const p of checkWorkspace(this.ws)) this.notify('warning', { message: `${p.message} — ${p.remedy}` });
    for (const [id, e] of finishedInLog(events))
      if (!this.records.has(id) && !id.endsWith('-root')) this.records.set(id, lostCandidate(id, e));
    const logged = new Set(events.filter((e) => e.type === 'candidate-finished').map((e) => e.id as string));
    for (const r of this.records.values()) {
      if (r.state !== 'proposed' && !logged.has(r.id)) this.emit('candidate-finished', this.finishedEvent(r, true));
      this.spentUsd += r.costUsd;
    }
    const gens = [...new Set([...this.records.values()].map((r) => r.generation))].sort((a, b) => a - b);
    this.adoptedVersionSeen = this.ws.latestVersion()?.version;
    const adoptedAt = this.adoptedGeneration();
    for (const g of gens) {
      if (g < adoptedAt) continue; // stagnation counts from the latest adoption
      const rs = [...this.records.values()].filter((r) => r.generation <= g && r.metrics?.trainingBdRate !== undefined);
      if (rs.length) this.bestByGeneration.push(Math.min(...rs.map((r) => r.metrics!.trainingBdRate!)));
    }
    const lastStrategy = [...events].reverse().find((e) => e.type === 'strategy-changed');
    if (lastStrategy) this.strategy = lastStrategy.to as Strategy;
    for (const r of this.records.values()) this.addToDb(r);
    // Migrations are replayed from the log so islands come back as they were.
    const maxGen = gens.length ? gens[gens.length - 1] : 0;
    for (let g = 1; g <= maxGen; g++) if (this.generationComplete(g) && g % Math.max(1, c.migrationInterval) === 0) this.db.migrate();
  }

  /** The generation of the adopted version's candidate (0 for the seed): an adoption is progress, so
   * stagnation is counted from there. */
  private adoptedGeneration(): number {
    const id = this.ws.latestVersion()?.candidateId;
    return id ? (this.records.get(id)?.generation ?? 0) : 0;
  }

  /** The best scored program a person has not turned down: a rejected (or held-out-failed) candidate
   * stays in the database for novelty but is never reported as the best. Read from disk, because a
   * person rejects through another process while the loop runs. */
  private bestUsable(): Program | undefined {
    for (const p of (this.db?.all() ?? []).sort((a, b) => a.score - b.score)) {
      const state = this.ws.readCandidate(p.id).state;
      if (state !== 'rejected' && state !== 'failed') return p;
    }
    return undefined;
  }

  private addToDb(r: CandidateRecord): void {
    if (r.metrics?.trainingBdRate === undefined || !r.codeHash) return;
    const p: Program = {
      id: r.id,
      island: r.island,
      generation: r.generation,
      score: r.metrics.trainingBdRate,
      encodeMs: r.metrics.encodeMs,
      decodeMs: r.metrics.decodeMs,
      codeHash: r.codeHash,
    };
    if (r.parentId === null) this.db.addRoot(p);
    else this.db.add(p);
  }

  private generationComplete(g: number): boolean {
    const rs = [...this.records.values()].filter((r) => r.generation === g);
    return rs.length >= this.slotsPerGeneration() && rs.every((r) => r.state !== 'proposed');
  }

  private slotsPerGeneration(): number {
    const c = this.config.evolution;
    return c.candidatesPerGeneration > 0 ? c.candidatesPerGeneration : resolvedConcurrency(c);
  }

  private finishedEvent(r: CandidateRecord, recovered = false): EngineEvents['candidate-finished'] {
    return {
      id: r.id,
      generation: r.generation,
      state: r.state,
      trainingBdRate: r.metrics?.trainingBdRate,
      failure: r.failure ? { class: r.failure.class, message: r.failure.message } : undefined,
      costUsd: r.costUsd,
      ...(recovered ? { recovered } : {}),
    };
  }

  private save(r: CandidateRecord): void {
    this.ws.writeCandidate(r);
    this.records.set(r.id, r);
  }

  getStatus(): EngineStatus {
    return { ...this.status };
  }

  private refreshStatus(running: boolean, generation: number, stopReason?: string): void {
    const rs = [...this.records.values()];
    const best = this.bestUsable();
    const version = this.ws.latestVersion();
    const elapsedMin = (Date.now() - this.runStart) / 60000;
    this.status = {
      running,
      generation,
      candidates: rs.length,
      evaluated: rs.filter((r) => r.metrics?.trainingBdRate !== undefined).length,
      pendingReview: rs.filter((r) => r.state === 'pending-review').length,
      best: best ? { id: best.id, trainingBdRate: best.score } : undefined,
      adoptedVersion: version?.version,
      adoptedBdRate: version?.trainingBdRate,
      ...(version ? { adoptedObjective: version.objective ?? 'psnrY' } : {}),
      scoring: scoringOf(this.config),
      strategy: this.strategy,
      stagnation: this.stagnation,
      spentUsd: this.spentUsd,
      tokens: rs.reduce(
        (t, r) => ({
          input: t.input + r.tokens.input,
          output: t.output + r.tokens.output,
          cacheRead: t.cacheRead + (r.tokens.cacheRead ?? 0),
          cacheWrite: t.cacheWrite + (r.tokens.cacheWrite ?? 0),
        }),
        { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
      ),
      stopReason,
      evaluationsPerMinute: elapsedMin > 0 && this.evaluationsThisRun ? this.evaluationsThisRun / elapsedMin : undefined,
      paretoFront: this.db
        ?.front()
        .sort((a, b) => a.score - b.score)
        .map((p) => ({ id: p.id, trainingBdRate: p.score, encodeMs: Math.round(p.encodeMs), decodeMs: Math.round(p.decodeMs) })),
    };
    writeJsonAtomic(join(this.ws.dir, STATUS_FILE), { ...this.status, pid: process.pid, time: new Date().toISOString() });
    this.notify('status', { ...this.status });
  }

  /** Runs generations until a budget, a generation count or cancellation stops it. */
  async run(ro: EngineRunOptions = {}): Promise<EngineStatus> {
    const signal = this.opts.signal;
    this.runStart = Date.now();
    this.load();
    const budgets: BudgetConfig = { ...this.config.budgets, ...ro.budgets };
    if (ro.generations !== undefined) budgets.generations = ro.generations;
    this.wallDeadline = budgets.wallMinutes !== undefined ? this.runStart + budgets.wallMinutes * 60_000 : undefined;
    const concurrency = Math.max(1, ro.concurrency ?? resolvedConcurrency(this.config.evolution));
    this.promptTokenBudget = ro.promptTokenBudget ?? this.config.evolution.promptTokenBudget;
    this.emit('run-started', {
      pid: process.pid,
      provider: this.opts.provider.kind,
      model: this.opts.provider.model,
      concurrency,
      budgets,
    });
    if (!this.config.clips.heldOut.length) {
      // Without a held-out clip "does not lose on held-out clips" holds vacuously: say so once per run.
      this.notify('warning', {
        message:
          'no held-out clips: candidates are judged on the training clips only, so a gain may not generalise — add one with codec-evolve clips add --held-out FILE or the Add Clip command',
      });
    }
    let stopReason = 'finished';
    let generationsRun = 0;
    let generation = 0;
    try {
      await this.ensureRoot();
      for (;;) {
        generation = this.nextGeneration();
        const incomplete = [...this.records.values()].some((r) => r.generation === generation);
        if (ro.untilGeneration !== undefined && generation > ro.untilGeneration) {
          stopReason = `reached generation ${ro.untilGeneration}`;
          break;
        }
        const why = incomplete
          ? undefined
          : budgetExceeded(budgets, { generations: generationsRun, elapsedMs: Date.now() - this.runStart, usd: this.spentUsd });
        if (why) {
          stopReason = why;
          break;
        }
        if (signal?.aborted) throw new CancelledError();
        this.refreshStatus(true, generation);
        const proposalsBefore = this.proposalsThisRun;
        await this.runGeneration(generation, concurrency);
        if (this.proposalsThisRun > proposalsBefore) generationsRun++;
        this.afterGeneration(generation);
      }
    } catch (e) {
      if (e instanceof CancelledError || signal?.aborted) stopReason = 'cancelled';
      else {
        stopReason = `error: ${errorMessage(e)}`;
        this.emit('run-stopped', { reason: stopReason });
        this.refreshStatus(false, generation, stopReason);
        throw e;
      }
    }
    this.emit('run-stopped', { reason: stopReason, generationsRun });
    this.refreshStatus(false, generation, stopReason);
    return this.getStatus();
  }

  /** The lowest generation not yet complete (1 after the root). */
  private nextGeneration(): number {
    let g = 1;
    while (this.generationComplete(g)) g++;
    return g;
  }

  /** Generation 0: the adopted version itself, evaluated once, is the root of every island. */
  private async ensureRoot(): Promise<void> {
    const version = this.ws.latestVersion();
    if (!version) throw new ProviderError('the workspace has no codec version', "run 'codec-evolve init' again");
    const code = this.ws.versionCode(version.version);
    const hash = codeHash(code);
    const done = [...this.records.values()].find((r) => r.codeHash === hash && r.metrics?.trainingBdRate !== undefined);
    if (done) {
      this.fixQualities(done);
      this.scoreVersion(version, code, done);
      return;
    }
    const id = `v${String(version.version).padStart(4, '0')}-root`;
    const existing = this.records.get(id);
    // Measured before under another objective, with no table to re-read it from: measure it again.
    const remeasure = existing?.state === 'evaluated' && existing.metrics?.trainingBdRate === undefined;
    if (existing && existing.state !== 'proposed' && !remeasure) {
      throw new ProviderError(
        `the adopted codec (version ${version.version}) fails evaluation: ${existing.failure?.message ?? existing.state}`,
        `fix ${this.config.codecFile} (codec-evolve evaluate shows the failure) or re-run init with another --seed`,
      );
    }
    const now = new Date().toISOString();
    const rec: CandidateRecord = existing ?? {
      id,
      generation: 0,
      slot: 0,
      island: 0,
      parentId: null,
      inspirationIds: [],
      state: 'proposed',
      createdAt: now,
      updatedAt: now,
      provider: 'version',
      strategy: 'baseline',
      hypothesis: `version ${version.version} as adopted`,
      editKind: 'none',
      codeHash: hash,
      tokens: { input: 0, output: 0 },
      costUsd: 0,
      repairRounds: 0,
    };
    if (!existing) {
      this.ws.writeCandidateFile(id, 'code.js', code);
      this.save(rec);
      this.emit('candidate-proposed', { id, generation: 0, parentId: null });
    }
    await this.evaluateCandidate(rec, undefined, true);
    if (rec.state !== 'evaluated') {
      throw new ProviderError(
        `the adopted codec (version ${version.version}) fails evaluation: ${rec.failure?.message ?? rec.state}`,
        `fix it, or re-run init with another --seed`,
      );
    }
    this.fixQualities(rec);
    this.scoreVersion(version, code, rec);
  }

  /** The version record carries its score on the current objective (after a change of objective, too). */
  private scoreVersion(version: VersionRecord, code: string, rec: CandidateRecord): void {
    if (version.trainingBdRate === undefined || (version.objective ?? 'psnrY') !== rec.metrics?.objective) {
      this.ws.writeVersion(
        {
          ...version,
          objective: rec.metrics?.objective,
          trainingBdRate: rec.metrics?.trainingBdRate,
          heldOutBdRate: rec.metrics?.heldOutBdRate,
        },
        code,
      );
    }
  }

  /** The adopted version's own evaluation (its candidate, or the root for the seed version), scored
   * on the configured objective: what a candidate's objective and guards are compared with. A
   * version measured under another objective (an older workspace) is compared by its record alone. */
  private incumbent(): CandidateMetrics | undefined {
    const version = this.ws.latestVersion();
    if (!version) return undefined;
    const hash = codeHash(this.ws.versionCode(version.version));
    const r =
      (version.candidateId ? this.records.get(version.candidateId) : undefined) ??
      [...this.records.values()].find((x) => x.codeHash === hash && x.metrics?.trainingBdRate !== undefined);
    return r?.metrics?.objective === this.config.evolution.objective ? r.metrics : undefined;
  }

  private fixQualities(root: CandidateRecord): void {
    if (this.config.qualities?.length) return;
    const qs = [
      ...new Set(root.metrics?.training.flatMap((c) => c.points.map((p) => p.quality)).filter((q): q is number => q !== undefined) ?? []),
    ].sort((a, b) => a - b);
    if (qs.length >= 4) this.fixedQualities = qs;
  }

  private async runGeneration(generation: number, concurrency: number): Promise<void> {
    const slots = this.slotsPerGeneration();
    // Selection happens up front and only reads completed generations, so a resumed generation picks
    // the same parents as the interrupted one.
    const plans = Array.from({ length: slots }, (_, slot) => this.plan(generation, slot));
    this.emit('generation-started', { generation, slots, strategy: this.strategy });
    let next = 0;
    const inFlightHashes = new Set<string>();
    const worker = async () => {
      while (next < plans.length) {
        const plan = plans[next++];
        if (this.opts.signal?.aborted) throw new CancelledError();
        await this.runSlot(generation, plan, inFlightHashes);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, slots) }, worker));
  }

  private plan(
    generation: number,
    slot: number,
  ): { slot: number; island: number; parent: Program; inspirations: Program[]; seed: number; focus?: PromptFocus } {
    const seed = mixSeed(this.config.evolution.seed, generation, slot);
    const r = rng(seed);
    const n = this.db.islandCount;
    let island = (generation + slot) % n;
    if (this.strategy === 'explore-island') island = (island + 1 + Math.floor(r() * (n - 1 || 1))) % n;
    const parent = this.db.selectParent(island, r, this.strategy === 'refine' ? 0.15 : 0.4);
    const inspirations = this.db.inspirations(parent, r);
    return {
      slot,
      island,
      parent,
      inspirations,
      seed,
      focus: chooseFocus({
        blocks: blockNames(this.ws.candidateCode(parent.id)),
        records: this.records.values(),
        generation,
        turn: generation * this.slotsPerGeneration() + slot,
        seed,
        margin: this.config.evolution.noiseMarginPercent,
      }),
    };
  }

  private async runSlot(generation: number, plan: ReturnType<Engine['plan']>, inFlight: Set<string>): Promise<void> {
    const id = candidateId(generation, plan.slot);
    let rec = this.records.get(id);
    if (rec && rec.state !== 'proposed') return;
    if (rec && rec.provider !== this.opts.provider.kind && rec.provider !== 'version') {
      // Proposed by another provider before Stop: this run's provider proposes it afresh (same id,
      // same parent); what the interrupted proposal cost stays on the record.
      const carried = { tokens: rec.tokens, costUsd: rec.costUsd, provider: rec.provider };
      this.emit('candidate-reproposed', {
        id,
        generation,
        from: rec.provider,
        to: this.opts.provider.kind,
        message: `${id} was proposed by ${rec.provider} before the run stopped; ${this.opts.provider.kind} proposes it afresh`,
      });
      rmSync(this.ws.candidateDir(id), { recursive: true, force: true });
      this.records.delete(id);
      rec = await this.propose(id, generation, plan, inFlight);
      rec.tokens = { input: rec.tokens.input + carried.tokens.input, output: rec.tokens.output + carried.tokens.output };
      rec.costUsd += carried.costUsd;
      this.save(rec);
    } else if (rec) {
      this.emit('candidate-resumed', {
        id,
        generation,
        provider: rec.provider,
        message: `resuming ${id}, proposed by ${rec.provider}${rec.model ? ` (${rec.model})` : ''} before the run stopped: evaluating it without asking the model again`,
      });
    }
    if (!rec) rec = await this.propose(id, generation, plan, inFlight);
    if (rec.state === 'proposed') await this.evaluateCandidate(rec, plan.parent);
  }

  private grandparent(parent: Program): { code: string; score: number; parentScore: number } | undefined {
    const gpId = this.records.get(parent.id)?.parentId;
    const gp = gpId ? this.db.get(gpId) : undefined;
    return gp ? { code: this.ws.candidateCode(gp.id), score: gp.score, parentScore: parent.score } : undefined;
  }

  private promptProgram(id: string): PromptProgram {
    const r = this.records.get(id);
    return {
      id,
      code: this.ws.candidateCode(id),
      trainingBdRate: r?.metrics?.trainingBdRate,
      training: r?.metrics?.training,
      hypothesis: r?.hypothesis,
    };
  }

  private lineage(id: string | null): CandidateRecord[] {
    const out: CandidateRecord[] = [];
    const ids = new Set<string>();
    for (let cur = id; cur && !ids.has(cur); cur = this.records.get(cur)?.parentId ?? null) ids.add(cur);
    // Failures are children of the lineage's members (they never become parents themselves).
    for (const r of [...this.records.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt))) {
      if (r.parentId && ids.has(r.parentId)) out.push(r);
    }
    return out;
  }

  private async propose(id: string, generation: number, plan: ReturnType<Engine['plan']>, inFlight: Set<string>): Promise<CandidateRecord> {
    this.proposalsThisRun++;
    const parentCode = this.ws.candidateCode(plan.parent.id);
    const failures = analyzeFailures(this.lineage(plan.parent.id), 20);
    const rejections = [...this.records.values()]
      .filter((r) => r.state === 'rejected' && r.review?.reason)
      .slice(-5)
      .map((r) => ({ id: r.id, reason: r.review!.reason!, hypothesis: r.hypothesis }));
    // Read per proposal, not per run: a directive given while the loop runs steers the next prompt.
    const directives = activeDirectives(listDirectives(this.ws)).map((d) => ({ id: d.id, text: d.text, block: d.block }));
    // The person's word outranks the rotation: a directive naming one of the parent's blocks sets the focus.
    const asked = directives.find((d) => d.block && blockNames(parentCode).includes(d.block));
    const focus: PromptFocus | undefined = asked
      ? { block: asked.block!, reason: `the supervising person asked for it (${asked.id})` }
      : plan.focus;
    const prompt = buildPrompt({
      directives,
      parent: this.promptProgram(plan.parent.id),
      inspirations: plan.inspirations.map((p) => this.promptProgram(p.id)),
      failures,
      rejections,
      strategy: this.strategy,
      primaryReference: this.config.primaryReference,
      contractText: this.opts.contractText,
      objective: this.config.evolution.objective,
      guards: this.config.evolution.guards,
      focus,
      tokenBudget: this.promptTokenBudget,
    });
    const now = new Date().toISOString();
    const rec: CandidateRecord = {
      id,
      generation,
      slot: plan.slot,
      island: plan.island,
      parentId: plan.parent.id,
      inspirationIds: plan.inspirations.map((p) => p.id),
      state: 'proposed',
      createdAt: now,
      updatedAt: now,
      provider: this.opts.provider.kind,
      model: this.opts.provider.model,
      strategy: this.strategy,
      hypothesis: '',
      tokens: { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 },
      costUsd: 0,
      repairRounds: 0,
      ...(focus ? { focusBlock: focus.block } : {}),
      prompt: {
        estimatedTokens: prompt.stats.tokens,
        parentTokens: prompt.stats.parentTokens,
        inspirationsShown: prompt.stats.inspirationsShown,
        ...(prompt.stats.inspirationsDropped.length ? { inspirationsDropped: prompt.stats.inspirationsDropped } : {}),
        ...(prompt.stats.failureDetailsDropped ? { failureDetailsDropped: true } : {}),
      },
      ...(directives.length ? { directiveIds: directives.map((d) => d.id) } : {}),
    };
    const transcript: string[] = [`# system\n\n${prompt.system}\n\n# user\n\n${prompt.user}`];
    const responses: string[] = [];
    const messages: ChatMessage[] = [{ role: 'user', content: prompt.user, parts: prompt.userParts }];
    let failure: CandidateFailure | undefined;
    let code: string | undefined;
    for (let round = 0; ; round++) {
      let text: string;
      let truncated: string | undefined;
      let outputTokens = 0;
      try {
        const res = await this.opts.provider.complete({
          system: prompt.system,
          systemParts: prompt.systemParts,
          messages,
          signal: this.opts.signal,
          deadline: this.wallDeadline,
          context: {
            parentCode,
            inspirations: plan.inspirations.map((p) => this.ws.candidateCode(p.id)),
            grandparent: this.grandparent(plan.parent),
            mutationScale: mutationScaleFor(this.strategy),
            strategy: this.strategy,
            seed: mixSeed(plan.seed, round, 7),
            focusBlock: focus?.block,
          },
        });
        rec.tokens.input += res.usage.inputTokens;
        rec.tokens.output += res.usage.outputTokens;
        rec.tokens.cacheWrite = (rec.tokens.cacheWrite ?? 0) + (res.usage.cacheWriteTokens ?? 0);
        rec.tokens.cacheRead = (rec.tokens.cacheRead ?? 0) + (res.usage.cacheReadTokens ?? 0);
        rec.costUsd += res.costUsd;
        rec.model = res.model;
        this.spentUsd += res.costUsd;
        text = res.text;
        outputTokens = res.usage.outputTokens;
        truncated = res.stopReason === 'max_tokens' || res.stopReason === 'length' ? res.stopReason : undefined;
        this.consecutiveProviderErrors = 0;
      } catch (e) {
        if (e instanceof CancelledError || this.opts.signal?.aborted) throw new CancelledError();
        // A call cut off by the end of the wall budget says nothing about the provider's health.
        if (this.wallDeadline === undefined || Date.now() < this.wallDeadline) this.consecutiveProviderErrors++;
        failure = { class: 'provider', stage: 'provider', message: errorMessage(e) };
        if (this.consecutiveProviderErrors >= 3) {
          this.finishProposal(rec, transcript, responses, failure);
          throw e instanceof ProviderError ? e : new ProviderError(errorMessage(e), 'check the provider settings');
        }
        break;
      }
      responses.push(text);
      const parsed = parseResponse(text);
      if (parsed.hypothesis && !rec.hypothesis) rec.hypothesis = parsed.hypothesis;
      let fix: string;
      if (truncated) {
        // Edits before the cut may apply, but half an idea is not the idea: ask for a smaller one.
        failure = {
          class: 'truncated',
          stage: 'edit',
          message: `the answer was cut off at the output limit (${outputTokens} output tokens, stop reason ${truncated}); no edit of it was applied`,
        };
        fix = truncatedRepairPrompt(outputTokens);
      } else {
        const applied = applyEdits(parentCode, parsed);
        if (applied.ok) {
          code = applied.code;
          rec.editKind = applied.kind;
          rec.changedBlocks = changedBlocks(parentCode, code).map((c) => c.name);
          failure = undefined;
          break;
        }
        failure = {
          class: applied.class,
          stage: 'edit',
          message: applied.message,
          ...(applied.unmatched !== undefined ? { unmatched: applied.unmatched } : {}),
        };
        fix = repairPrompt(applied.message, applied.unmatched);
      }
      if (round >= this.config.evolution.repairRounds) break;
      rec.repairRounds++;
      messages.push({ role: 'assistant', content: text }, { role: 'user', content: fix });
      transcript.push(`# assistant\n\n${text}\n\n# user (repair ${round + 1})\n\n${fix}`);
    }
    if (code !== undefined) {
      const hash = codeHash(code);
      rec.codeHash = hash;
      const dup = [...this.records.values()].find((r) => r.codeHash === hash);
      if (dup || inFlight.has(hash)) {
        failure = {
          class: 'duplicate',
          stage: 'novelty',
          message: `the same program (after normalising comments and whitespace) as ${dup?.id ?? 'another candidate of this generation'}; not evaluated`,
        };
      } else {
        inFlight.add(hash);
        this.ws.writeCandidateFile(id, 'code.js', code);
      }
    }
    this.finishProposal(rec, transcript, responses, failure);
    return rec;
  }

  private finishProposal(rec: CandidateRecord, transcript: string[], responses: string[], failure?: CandidateFailure): void {
    this.ws.writeCandidateFile(rec.id, 'prompt.md', transcript.join('\n\n'));
    this.ws.writeCandidateFile(rec.id, 'response.md', responses.join('\n\n---- repair ----\n\n'));
    writeJsonAtomic(join(this.ws.candidateDir(rec.id), 'tokens.json'), { ...rec.tokens, costUsd: rec.costUsd, model: rec.model });
    if (failure) {
      rec.failure = failure;
      rec.state = 'invalid';
      writeJsonAtomic(join(this.ws.candidateDir(rec.id), 'diagnostics.json'), { failure });
      this.save(rec);
      this.emit('candidate-proposed', { id: rec.id, generation: rec.generation, parentId: rec.parentId, hypothesis: rec.hypothesis });
      this.emit('candidate-finished', this.finishedEvent(rec));
      return;
    }
    this.save(rec);
    this.emit('candidate-proposed', { id: rec.id, generation: rec.generation, parentId: rec.parentId, hypothesis: rec.hypothesis });
  }

  private async stage(code: string, req: Parameters<Evaluator>[1]): Promise<StageResult> {
    try {
      return await this.opts.evaluate(code, { ...req, signal: this.opts.signal });
    } catch (e) {
      if (this.opts.signal?.aborted) throw new CancelledError();
      throw e;
    }
  }

  /** A stage's clips with their fail-fast limits (time-limit.ts), which are also noted in `limits`. */
  private stageClips(
    stage: StageRequest['stage'],
    clips: Array<{ path: string; frames?: number }>,
    parent: CandidateRecord | undefined,
    limits: NonNullable<CandidateRecord['timeLimitsMs']>,
  ): ClipSpec[] {
    const cap = this.config.limits?.timeoutMs ?? DEFAULT_LIMITS.timeoutMs;
    return clips.map((c) => {
      const path = this.ws.resolvePath(c.path);
      // The name the evaluation reports a clip under (evaluate.ts): the file name without extension.
      const name = basename(path).replace(/\.[^.]+$/, '');
      const timeoutMs = failFastLimitMs(parent, stage, name, cap);
      (limits[stage] ??= {})[name] = timeoutMs;
      return { path, ...(c.frames ? { frames: c.frames } : {}), ...(timeoutMs < cap ? { timeoutMs } : {}) };
    });
  }

  /** The cascade. The record is written once, at the end, with state and metrics together. */
  private async evaluateCandidate(rec: CandidateRecord, parent: Program | undefined, isRoot = false): Promise<void> {
    const code = this.ws.candidateCode(rec.id);
    const cfg = this.config;
    const started = Date.now();
    this.emit('evaluation-started', { id: rec.id });
    let failure: CandidateFailure | undefined;
    let metrics: CandidateMetrics | undefined;
    const parentRec = parent ? this.records.get(parent.id) : undefined;
    const limits: NonNullable<CandidateRecord['timeLimitsMs']> = {};
    let queueWaitMs: number | undefined;
    let worker: CandidateRecord['worker'];
    const run = async (req: StageRequest): Promise<StageResult> => {
      const r = await this.stage(code, { ...req, candidateId: rec.id });
      if (r.via) {
        queueWaitMs = (queueWaitMs ?? 0) + r.via.queueWaitMs;
        if (!worker || req.stage === 'training') worker = r.via.worker;
      }
      return r;
    };
    const smoke = await run({
      stage: 'smoke',
      clips: this.stageClips('smoke', [cfg.clips.smoke], parentRec, limits),
      references: [],
      qualities: cfg.qualities,
    });
    if (!smoke.ok) failure = { ...smoke.failure, stage: 'smoke' };
    else {
      const trainingClips = this.stageClips('training', cfg.clips.training, parentRec, limits);
      let training = await run({
        stage: 'training',
        clips: trainingClips,
        references: cfg.references,
        qualities: cfg.qualities ?? (isRoot ? undefined : this.fixedQualities),
      });
      const objective = cfg.evolution.objective;
      if (
        training.ok &&
        !cfg.qualities &&
        this.fixedQualities &&
        !isRoot &&
        meanBd(training.clips, objective, cfg.primaryReference) === undefined
      ) {
        training = await run({ stage: 'training', clips: trainingClips, references: cfg.references });
      }
      if (!training.ok) failure = { ...training.failure, stage: 'training' };
      else {
        const t = sumTimes(training.clips);
        metrics = {
          smokeOk: true,
          smoke: smoke.clips,
          objective,
          training: training.clips,
          trainingBdRate: meanBd(training.clips, objective, cfg.primaryReference),
          trainingBdRates: meanBdRateTable(training.clips.map((c) => c.bdRate)),
          ...t,
          evaluationMs: 0,
        };
        if (metrics.trainingBdRate === undefined) {
          failure = {
            class: 'bad-output',
            stage: 'training',
            message: `no ${objective} BD-rate against ${cfg.primaryReference}: the RD curve does not overlap the reference's quality range`,
          };
        }
        const beatsParent = !failure && (isRoot || (parent && metrics.trainingBdRate! < parent.score - cfg.evolution.noiseMarginPercent));
        if (beatsParent && cfg.clips.heldOut.length) {
          const held = await run({
            stage: 'held-out',
            clips: this.stageClips('held-out', cfg.clips.heldOut, parentRec, limits),
            references: cfg.references,
            qualities: cfg.qualities,
          });
          if (!held.ok) failure = { ...held.failure, stage: 'held-out' };
          else {
            metrics.heldOut = held.clips;
            metrics.heldOutBdRate = meanBd(held.clips, objective, cfg.primaryReference);
            metrics.heldOutBdRates = meanBdRateTable(held.clips.map((c) => c.bdRate));
          }
        }
      }
    }
    rec.timeLimitsMs = limits;
    if (worker) rec.worker = worker;
    if (queueWaitMs !== undefined) rec.queueWaitMs = queueWaitMs;
    if (metrics) metrics.evaluationMs = Date.now() - started;
    this.evaluationsThisRun++;
    if (metrics) writeJsonAtomic(join(this.ws.candidateDir(rec.id), 'metrics.json'), metrics);
    if (failure) writeJsonAtomic(join(this.ws.candidateDir(rec.id), 'diagnostics.json'), { failure });
    rec.metrics = metrics;
    rec.parentBdRate = parent?.score;
    if (failure) {
      rec.failure = failure;
      rec.state = STATIC_CLASSES.has(failure.class) ? 'invalid' : 'failed';
      this.save(rec);
    } else if (isRoot) {
      rec.state = 'evaluated';
      this.save(rec);
    } else {
      const version = this.ws.latestVersion();
      const incumbent = this.incumbent();
      rec.verdict = judge(
        { training: metrics!.trainingBdRate, heldOut: metrics!.heldOutBdRate, bdRates: metrics!.trainingBdRates },
        incumbent
          ? { training: incumbent.trainingBdRate, heldOut: incumbent.heldOutBdRate, bdRates: incumbent.trainingBdRates }
          : (version?.objective ?? 'psnrY') === cfg.evolution.objective
            ? { training: version?.trainingBdRate, heldOut: version?.heldOutBdRate }
            : {},
        {
          margin: cfg.evolution.noiseMarginPercent,
          objective: cfg.evolution.objective,
          guards: cfg.evolution.guards,
          reference: cfg.primaryReference,
        },
      );
      // The queue is for real steps forward: better than the adopted version and than its own parent.
      if (rec.verdict.improved && parent && metrics!.trainingBdRate! > parent.score - cfg.evolution.noiseMarginPercent) {
        rec.verdict = {
          ...rec.verdict,
          improved: false,
          stoppedBy: 'parent',
          reason: `better than v${version?.version} but not than its parent ${parent.id} (${parent.score.toFixed(3)} %)`,
        };
      }
      rec.state = stateAfterEvaluation(rec.verdict, cfg.evolution.adoptionPolicy);
      if (rec.state === 'adopted') rec.state = 'pending-review'; // adoptCandidate makes it 'adopted'
      this.save(rec);
      if (cfg.evolution.adoptionPolicy === 'auto' && rec.verdict.improved) {
        await adoptCandidate(this.ws, rec.id, { by: 'auto', reason: rec.verdict.reason });
        this.records.set(rec.id, this.ws.readCandidate(rec.id));
      }
    }
    this.addToDb(rec);
    this.emit('candidate-finished', this.finishedEvent(this.records.get(rec.id)!));
  }

  private afterGeneration(generation: number): void {
    const c = this.config.evolution;
    const best = this.bestUsable();
    const adopted = this.ws.latestVersion()?.version;
    if (adopted !== this.adoptedVersionSeen) {
      // A new version was adopted (by a person or the auto policy): progress, whatever the scores say.
      this.adoptedVersionSeen = adopted;
      this.bestByGeneration = [];
    }
    if (best) this.bestByGeneration.push(best.score);
    if (generation % Math.max(1, c.migrationInterval) === 0) {
      const moves = this.db.migrate();
      if (moves.length) this.emit('migration', { generation, moves });
    }
    const since = this.adoptedGeneration();
    const recent = [...this.records.values()]
      .filter((r) => r.metrics?.trainingBdRate !== undefined && r.generation > 0 && r.generation >= since)
      .sort((a, b) => a.generation - b.generation || a.slot - b.slot)
      .map((r) => r.metrics!.trainingBdRate!);
    const s = detectStagnation({ bestByGeneration: this.bestByGeneration, recentScores: recent, generations: c.stagnationGenerations });
    const before = this.strategy;
    // Escalate once per stagnation window, not every generation.
    const escalate = s.stagnant && (before === 'refine' || s.sinceGenerations % c.stagnationGenerations === 0);
    this.strategy = escalate ? nextStrategy(before, true) : s.stagnant ? before : 'refine';
    this.stagnation = s.stagnant ? s.reason : undefined;
    if (this.strategy !== before)
      this.emit('strategy-changed', { generation, from: before, to: this.strategy, reason: s.reason ?? 'improving again' });
    this.emit('generation-finished', {
      generation,
      best: best ? { id: best.id, trainingBdRate: best.score } : undefined,
      strategy: this.strategy,
      stagnation: this.stagnation,
    });
    this.refreshStatus(true, generation + 1);
  }
}

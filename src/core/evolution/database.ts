// The program database: islands that evolve apart (diversity), an elite archive of the best distinct
// programs, periodic migration of each island's best to its neighbour, and a Pareto front. Pure: it is
// rebuilt from the candidate records on every start, so resume needs no separate checkpoint.
import { paretoFront, type Objectives } from './pareto';
import { pick, type Rng } from '../rng';

export interface Program {
  id: string;
  island: number;
  generation: number;
  /** Training BD-rate in percent, lower is better. */
  score: number;
  encodeMs: number;
  decodeMs: number;
  codeHash: string;
}

export interface DatabaseOptions {
  islands: number;
  archiveSize: number;
  migrationInterval: number;
}

export class ProgramDatabase {
  private readonly programs = new Map<string, Program>();
  /** Members per island, including migrants (a program may live on several islands). */
  private readonly members: Set<string>[];

  constructor(readonly opts: DatabaseOptions) {
    this.members = Array.from({ length: Math.max(1, opts.islands) }, () => new Set<string>());
  }

  get islandCount(): number {
    return this.members.length;
  }

  /** The root program (the seed or the adopted version) lives on every island. */
  addRoot(p: Program): void {
    this.programs.set(p.id, p);
    for (const m of this.members) m.add(p.id);
  }

  add(p: Program): void {
    this.programs.set(p.id, p);
    this.members[p.island % this.members.length].add(p.id);
  }

  get(id: string): Program | undefined {
    return this.programs.get(id);
  }
  all(): Program[] {
    return [...this.programs.values()];
  }
  island(i: number): Program[] {
    return [...this.members[i % this.members.length]].map((id) => this.programs.get(id)!).filter(Boolean);
  }

  best(): Program | undefined {
    return this.all().reduce<Program | undefined>((b, p) => (!b || p.score < b.score ? p : b), undefined);
  }

  /** The best programs with distinct code, best first. */
  archive(): Program[] {
    const seen = new Set<string>();
    const out: Program[] = [];
    for (const p of this.all().sort((a, b) => a.score - b.score || a.id.localeCompare(b.id))) {
      if (seen.has(p.codeHash)) continue;
      seen.add(p.codeHash);
      out.push(p);
      if (out.length >= this.opts.archiveSize) break;
    }
    return out;
  }

  front(): Program[] {
    return paretoFront(this.all().map((p) => ({ ...p, bdRate: p.score }) as Program & Objectives));
  }

  /** Copies each island's best to the next island (ring), as in the island model of FunSearch/OpenEvolve. */
  migrate(): Array<{ id: string; from: number; to: number }> {
    const moves: Array<{ id: string; from: number; to: number }> = [];
    const n = this.members.length;
    if (n < 2) return moves;
    const bests = this.members.map((_, i) => this.island(i).sort((a, b) => a.score - b.score)[0]);
    bests.forEach((b, i) => {
      const to = (i + 1) % n;
      if (b && !this.members[to].has(b.id)) {
        this.members[to].add(b.id);
        moves.push({ id: b.id, from: i, to });
      }
    });
    return moves;
  }

  /** Parent choice: mostly exploit the island's best few (tournament), sometimes the elite archive,
   * sometimes any island member (exploration). */
  selectParent(island: number, r: Rng, explore = 0.15): Program {
    const members = this.island(island);
    if (!members.length) throw new Error('empty program database');
    const u = r();
    if (u < explore) return pick(r, members);
    if (u < explore + 0.15) {
      const a = this.archive();
      if (a.length) return pick(r, a);
    }
    const size = Math.min(3, members.length);
    let best: Program | undefined;
    for (let i = 0; i < size; i++) {
      const c = pick(r, members);
      if (!best || c.score < best.score) best = c;
    }
    return best!;
  }

  /** Programs shown beside the parent: the top of the archive and one from another island (diversity). */
  inspirations(parent: Program, r: Rng, count = 3): Program[] {
    const out: Program[] = [];
    for (const p of this.archive()) {
      if (out.length >= count - 1) break;
      if (p.id !== parent.id && p.codeHash !== parent.codeHash) out.push(p);
    }
    const others = this.all().filter(
      (p) => p.island !== parent.island && p.id !== parent.id && !out.includes(p) && p.codeHash !== parent.codeHash,
    );
    if (others.length) out.push(pick(r, others));
    return out.slice(0, count);
  }
}

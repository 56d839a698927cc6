// codec-evolve doctor: what this machine offers the harness — which ffmpeg and why, its encoders.
import { METRIC_IDS } from '../../core/metrics/registry';
import { probeVmaf, type VmafSupport } from '../../core/metrics/vmaf';
import type { Command } from '../command';
import { parse } from '../args';
import { CodecEvolutionError, EXIT_CODES, errorMessage } from '../../core/errors';
import { ffmpegEncoders, locateFfmpeg, type FfmpegLocation } from '../../core/video/ffmpeg';
import { sandboxLevel, type SandboxLevel } from '../../core/sandbox/runner';
import { Workspace } from '../../core/store/workspace';
import { checkWorkspace, repairWorkspace } from '../../core/store/integrity';
import type { CliIO } from '../command';

/** `doctor --workspace [--repair]`: the workspace's files against its event log. */
function workspaceDoctor(io: CliIO, repair: boolean, json: boolean): number {
  const ws = Workspace.find(io.cwd);
  const repaired = repair ? repairWorkspace(ws) : [];
  const problems = checkWorkspace(ws);
  if (json) io.out(JSON.stringify({ schemaVersion: 1, workspace: ws.root, repaired, problems }, null, 2));
  else {
    for (const r of repaired) io.out(`repaired: ${r}`);
    for (const p of problems) io.out(`${p.kind}: ${p.message} — ${p.remedy}`);
    if (!problems.length) io.out(`${ws.root}: the workspace agrees with its event log`);
  }
  return problems.length ? EXIT_CODES.input : 0;
}

const WANTED = ['libx264', 'libx265', 'libsvtav1', 'libaom-av1'];

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'show which ffmpeg is used and why, its reference encoders, the sandbox level, node version',
  usage: `codec-evolve doctor [--json] [--ffmpeg PATH]
       codec-evolve doctor --workspace [--repair] [--json]

  An explicit ffmpeg wins: --ffmpeg / codecEvolution.ffmpegPath, then CODEC_EVOLVE_FFMPEG. Otherwise
  every candidate (the ffmpeg-static package if its binary was downloaded, @ffmpeg-installer/ffmpeg,
  each ffmpeg on PATH) is probed, and the newest with the most reference encoders is used; all are listed.
  The sandbox level is measured by a probe child: which isolation layers this runtime really enforces.
  Exits 5 when no usable ffmpeg is found.
  --workspace checks the workspace's files against its event log (the source of truth): deleted
  versions/vNNNN or candidate folders, an unreadable config.json; --repair rebuilds the versions
  (from the adopted candidate's code, or the seed). Exits 4 while problems remain.`,
  async run(argv, io) {
    const { values } = parse(
      argv,
      { json: { type: 'boolean' }, ffmpeg: { type: 'string' }, workspace: { type: 'boolean' }, repair: { type: 'boolean' } },
      'doctor',
    );
    if (values.workspace || values.repair) return workspaceDoctor(io, !!values.repair, !!values.json);
    let ffmpeg: FfmpegLocation | undefined;
    let problem: CodecEvolutionError | Error | undefined;
    let encoders: Record<string, boolean> = {};
    let vmaf: VmafSupport = { available: false };
    try {
      ffmpeg = await locateFfmpeg({ ffmpegPath: values.ffmpeg });
      const all = await ffmpegEncoders(ffmpeg.path);
      encoders = Object.fromEntries(WANTED.map((e) => [e, all.includes(e)]));
      vmaf = await probeVmaf(ffmpeg);
    } catch (e) {
      problem = e as Error;
    }
    // Probed, not assumed: a layer the runtime lacks is listed as missing, never silently dropped.
    let sandbox: SandboxLevel | undefined;
    let sandboxProblem: string | undefined;
    try {
      sandbox = await sandboxLevel();
    } catch (e) {
      sandboxProblem = errorMessage(e);
    }
    const av1 = encoders.libsvtav1 ? 'libsvtav1' : encoders['libaom-av1'] ? 'libaom-av1' : undefined;
    if (values.json) {
      io.out(
        JSON.stringify(
          {
            schemaVersion: 1,
            node: process.version,
            platform: `${process.platform}-${process.arch}`,
            ffmpeg: ffmpeg ?? null,
            encoders,
            av1Encoder: av1 ?? null,
            vmaf: { available: vmaf.available, note: vmaf.note ?? null },
            sandbox: sandbox ?? null,
            sandboxProblem: sandboxProblem ?? null,
            problem: problem ? errorMessage(problem) : null,
          },
          null,
          2,
        ),
      );
    } else {
      io.out(`node:     ${process.version} (${process.platform}-${process.arch})`);
      if (ffmpeg) {
        io.out(`ffmpeg:   ${ffmpeg.path}`);
        io.out(`  source: ${ffmpeg.source} — ${ffmpeg.reason}`);
        io.out(`  version: ${ffmpeg.version}`);
        io.out(`  encoders: ${WANTED.map((e) => `${e} ${encoders[e] ? 'yes' : 'no'}`).join(', ')}`);
        io.out(`  baseline AV1 encoder: ${av1 ?? 'none (AV1 baseline will be skipped)'}`);
        io.out(
          `  metrics: ${METRIC_IDS.filter((m) => m !== 'vmaf' || vmaf.available).join(', ')}${vmaf.available ? ' (VMAF through libvmaf)' : ''}`,
        );
        if (vmaf.note) io.out(`  ${vmaf.note}`);
        for (const c of ffmpeg.candidates ?? []) {
          const mark = c.path === ffmpeg.path ? '*' : ' ';
          io.out(
            `  ${mark} candidate ${c.path} (${c.source}): ${c.problem ?? `${c.version?.replace(/^ffmpeg version /, '').split(' ')[0]}; ${c.encoders?.length ? c.encoders.join(', ') : 'no reference encoder'}`}`,
          );
        }
      } else {
        io.out(`ffmpeg:   NOT FOUND — ${problem ? errorMessage(problem) : ''}`);
      }
      if (sandbox) {
        io.out(`sandbox:  ${sandbox.level} — ${sandbox.summary}`);
        if (sandbox.missing.length) io.out(`  missing layers: ${sandbox.missing.join(', ')}`);
      } else {
        io.out(`sandbox:  could not be probed — ${sandboxProblem}`);
      }
    }
    if (problem) return problem instanceof CodecEvolutionError ? EXIT_CODES[problem.kind] : EXIT_CODES.internal;
    return 0;
  },
};

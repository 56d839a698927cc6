// Addresses of the read-only documents the review diff shows. Nothing under this scheme is ever
// written to disk; the workspace changes only when the person accepts.
export const SCHEME = 'codec-evolution';

export type ReviewDoc = { kind: 'candidate'; id: string } | { kind: 'parent'; id: string } | { kind: 'version'; version: number };

export function reviewPath(d: ReviewDoc, ext = 'js'): string {
  if (d.kind === 'candidate') return `/candidate/${encodeURIComponent(d.id)}/codec.${ext}`;
  if (d.kind === 'parent') return `/parent-of/${encodeURIComponent(d.id)}/codec.${ext}`;
  return `/version/${d.version}/codec.${ext}`;
}

export function parseReviewPath(path: string): ReviewDoc | null {
  const m = /^\/(candidate|parent-of|version)\/([^/]+)\/codec\.(js|ts)$/.exec(path);
  if (!m) return null;
  const key = decodeURIComponent(m[2]);
  if (m[1] === 'candidate') return { kind: 'candidate', id: key };
  if (m[1] === 'parent-of') return { kind: 'parent', id: key };
  const version = Number(key);
  return Number.isInteger(version) && version > 0 ? { kind: 'version', version } : null;
}

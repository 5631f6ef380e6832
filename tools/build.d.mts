// Types of tools/build.mjs (plain JavaScript, so the bins run it without a build).
export declare const REPO: string;
export declare const STAMP: string;
export interface BuildReport {
  root: string;
  files: number;
  written: number;
  removed: number;
  failed: string[];
}
export interface BuildOptions {
  /** Fail on a source that does not compile (default true); false keeps its last good build. */
  strict?: boolean;
  /** The repository root (default: this one). */
  repo?: string;
}
export declare function listProjects(repo?: string): { root: string; name: string; exports: Record<string, unknown> }[];
export declare function buildProjects(roots?: string[], options?: BuildOptions): Promise<BuildReport[]>;

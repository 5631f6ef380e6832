// Types of tools/fresh.mjs (plain JavaScript, so the bins run it without a build).
export declare function staleProjects(repo?: string): string[];
export declare function staleBundle(repo?: string): boolean;
export declare function ensureBuilt(): Promise<boolean>;

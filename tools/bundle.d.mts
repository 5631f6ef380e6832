// Types of tools/bundle.mjs (plain JavaScript, so the bins run it without a build).
export declare const BUNDLE_DIR: string;
/** Builds the bin's bundle (apps/cli/dist/bundle, or `outDir`); throws naming a source that does not compile. */
export declare function buildBundle(options?: { repo?: string; outDir?: string }): Promise<{ files: number; written: number; removed: number }>;
/** The CommonJS packages the bundle loads with require() (no ESM import: Node would lex them first). */
export declare const REQUIRED: readonly string[];
/** The names the bundle's stand-in for `pkg` exports (the installed package's bindable keys). */
export declare function requiredExportNames(repo: string, pkg: string): string[];

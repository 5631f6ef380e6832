// Types of tools/bundle.mjs (plain JavaScript, so the bins run it without a build).
export declare const BUNDLE_DIR: string;
/** Builds the bin's bundle (apps/cli/dist/bundle, or `outDir`); throws naming a source that does not compile. */
export declare function buildBundle(options?: { repo?: string; outDir?: string }): Promise<{ files: number; written: number; removed: number }>;

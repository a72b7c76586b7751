// Types of bundle.mjs (plain JavaScript so the launcher can load it without tsx; see its head).

/** Writes `eks-authz-audit: debug: <message>` to stderr when EKS_AUTHZ_AUDIT_DEBUG is set; otherwise nothing. */
export function debug(message: string): void;

export interface CliBundleOptions {
  /**
   * Where builds are cached, one directory per bundle key.
   * @default `<repoRoot>/node_modules/.cache/eks-authz-audit`
   */
  readonly cacheDir?: string;
}

/** The path of an up-to-date bundled `cli.mjs`, built first when needed; undefined when it cannot be built. */
export function cliBundle(repoRoot: string, options?: CliBundleOptions): Promise<string | undefined>;

/** 16 hex digits over the sources under lambda/, package-lock.json, tsconfig.json, esbuild's and Node's versions. */
export function bundleKey(repoRoot: string, esbuildVersion: string): string;

/** Output name -> entry file: `cli`, and `scan-worker` when lambda/scan/scan-worker.ts exists. */
export function bundleEntryPoints(repoRoot: string): Record<string, string>;

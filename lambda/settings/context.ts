import { ProblemCollector, UNKNOWN_KEY } from './errors';
import type { Setting } from './kinds';
import { SETTINGS, type SettingsProps } from './table';
import { grouped, readSettings } from './values';

/**
 * CDK context (cdk.json, `-c key=value`) -> validated settings, as construct props. `-c` values arrive as
 * strings; cdk.json values may already be numbers, booleans, arrays or objects: both are accepted. Every
 * problem is reported at once, unknown keys included.
 */

/** The settings that are context keys. */
export const CONTEXT_SETTINGS: readonly Setting[] = SETTINGS.filter((s) => s.context);

/** The context keys, as documented in the README. */
export const CONTEXT_KEYS: readonly string[] = CONTEXT_SETTINGS.map((s) => s.name);

/**
 * Keys the CDK itself uses: the CLI's (`aws:cdk:*`, `cli-telemetry`, `acknowledged-issue-numbers`), feature
 * flags (`@aws-cdk/...`, `@aws-cdk-containers/...`), `cdk-*`, and cached context lookups, whose keys all
 * carry a colon (`availability-zones:account=...:region=...`). None of ours has one.
 */
export function isCdkContextKey(key: string): boolean {
  return /^(aws:|aws-cdk:|@aws-cdk|cdk-|cli-)/.test(key) || key === 'acknowledged-issue-numbers' || key.includes(':');
}

export function parseContext(context: Readonly<Record<string, unknown>>): SettingsProps {
  const problems = new ProblemCollector();
  for (const key of Object.keys(context)) {
    if (isCdkContextKey(key) || CONTEXT_KEYS.includes(key)) continue;
    const near = closest(key, CONTEXT_KEYS);
    problems.add({
      key: `context key ${JSON.stringify(key)}`,
      value: UNKNOWN_KEY,
      problem: near ? `did you mean ${near}?` : `not a setting of this app (known: ${CONTEXT_KEYS.join(', ')})`,
    });
  }
  const values = readSettings(
    CONTEXT_SETTINGS,
    {
      lookup: (s) => context[s.name],
      key: (s) => s.name,
      requires: (s) => s.required !== undefined,
    },
    problems,
  );
  problems.throwIfAny();
  return grouped(values) as unknown as SettingsProps;
}

/** The known key nearest to a misspelt one: at most 3 edits away (fewer for short keys), case ignored. */
export function closest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const limit = Math.min(3, Math.floor(key.length / 2));
  let best: { key: string; distance: number } | undefined;
  for (const k of known) {
    const distance = editDistance(lower, k.toLowerCase());
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { key: k, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

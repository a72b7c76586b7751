import { ConfigError } from './errors';

/**
 * One setting: where it can be given and how a value is read. The table (table.ts) lists them all; the
 * CDK context parser, the construct, the function's environment, the runtime's config loader, the CLI
 * flags and the README's configuration table are all derived from it.
 */
export interface Setting<T = unknown> {
  /** The construct prop and, when `context` is true, the CDK context key (`-c name=value`). */
  readonly name: string;
  /** Settable from cdk.json / `-c`. False for values the construct supplies itself (the topic ARN). */
  readonly context: boolean;
  /** The function's environment variable, when the function reads it. */
  readonly env?: string;
  /** The CLI flag (without `--`) of `scan` and `audit`, when there is one. */
  readonly flag?: string;
  /** Where the value sits in the construct props and the runtime config: at the top, or in `ruleSettings`. */
  readonly group?: 'ruleSettings';
  /** For the README: `integer 5-1440`, `boolean`, `JSON`... */
  readonly type: string;
  readonly default: T | undefined;
  /** `always`: no default, must be given; `context`: the CDK app requires it, the construct does not. */
  readonly required?: 'always' | 'context';
  /** One line: what it does. */
  readonly doc: string;
  /** A valid value other than the default (for the README and the round-trip test). */
  readonly example: T;
  /** Bounds of an integer setting. */
  readonly min?: number;
  readonly max?: number;
  /** Reads a value as written by a person (`-c`, a variable, a flag: a string) or given natively (cdk.json, props). */
  parse(raw: unknown, key: string): T;
  /** The value as an environment variable (and as shown in the README). */
  format(value: T): string;
}

interface Common<T> {
  readonly name: string;
  readonly min?: number;
  readonly max?: number;
  readonly context?: boolean;
  readonly env?: string;
  readonly flag?: string;
  readonly group?: 'ruleSettings';
  readonly default?: T;
  readonly required?: 'always' | 'context';
  readonly doc: string;
  readonly example: T;
}

function setting<T>(common: Common<T>, type: string, parse: (raw: unknown, key: string) => T, format: (value: T) => string): Setting<T> {
  return Object.freeze({ context: true, ...common, default: common.default, type, parse, format });
}

/** A whole number within [min, max]: digits only from text ("1e3", "2.5", "0x14" are refused, not guessed at). */
export function integer(common: Common<number> & { readonly min: number; readonly max: number; readonly unit?: string }): Setting<number> {
  const { min, max, unit, ...rest } = common;
  const what = `a whole number${unit ? ` of ${unit}` : ''} from ${min} to ${max}`;
  return setting(
    { ...rest, min, max } as Common<number>,
    `integer ${min}-${max}`,
    (raw, key) => {
      const text = typeof raw === 'string' ? raw.trim() : undefined;
      const n = typeof raw === 'number' ? raw : text !== undefined && /^\d{1,16}$/.test(text) ? Number(text) : NaN;
      if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(key, raw, `is not ${what}`);
      return n;
    },
    String,
  );
}

export function boolean(common: Common<boolean>): Setting<boolean> {
  return setting(
    common,
    'boolean',
    (raw, key) => {
      if (typeof raw === 'boolean') return raw;
      const text = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
      if (text === 'true') return true;
      if (text === 'false') return false;
      throw new ConfigError(key, raw, 'is not true or false');
    },
    String,
  );
}

/** One of a fixed list, case-insensitive. */
export function oneOf<const V extends string>(common: Common<V> & { readonly values: readonly V[] }): Setting<V> {
  return setting(
    common,
    common.values.join(' | '),
    (raw, key) => {
      const v = typeof raw === 'string' ? raw.trim().toLowerCase() : raw;
      if (typeof v !== 'string' || !(common.values as readonly string[]).includes(v)) {
        throw new ConfigError(key, raw, `is not one of ${common.values.join(', ')}`);
      }
      return v as V;
    },
    String,
  );
}

/** A string matching `pattern` (an ARN, a name); `what` says what it should be. */
export function text(common: Common<string> & { readonly pattern: RegExp; readonly what: string }): Setting<string> {
  return setting(
    common,
    'string',
    (raw, key) => {
      const v = typeof raw === 'string' ? raw.trim() : undefined;
      if (v === undefined || !common.pattern.test(v)) throw new ConfigError(key, raw, `is not ${common.what}`);
      return v;
    },
    String,
  );
}

/** A list: comma-separated text or an array, each item checked by `item`. */
export function list<T>(common: Common<readonly T[]> & { readonly item: (raw: unknown, key: string) => T }): Setting<readonly T[]> {
  return setting(
    common,
    'comma-separated list',
    (raw, key) => {
      const items = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter((s) => s !== '') : raw;
      if (!Array.isArray(items)) throw new ConfigError(key, raw, 'is neither a comma-separated list nor an array');
      return items.map((v: unknown, i) => common.item(v, `${key}[${i}]`));
    },
    (value) => value.join(','),
  );
}

/**
 * A JSON value (text from `-c` or a variable, or the value itself from cdk.json or props) checked by
 * `validate`, which returns the value as used and throws a ConfigError naming what is wrong.
 */
export function json<T>(common: Common<T> & { readonly validate: (value: unknown, key: string) => T }): Setting<T> {
  return setting(
    common,
    'JSON',
    (raw, key) => {
      let value = raw;
      if (typeof raw === 'string') {
        try {
          value = JSON.parse(raw);
        } catch (err) {
          throw new ConfigError(key, raw, `is not valid JSON (${(err as Error).message})`);
        }
      }
      return common.validate(value, key);
    },
    (value) => JSON.stringify(value),
  );
}

/** A setting of its own kind (the clusters list), when none of the above fits. */
export function custom<T>(common: Common<T> & { readonly type: string; readonly parse: (raw: unknown, key: string) => T; readonly format: (value: T) => string }): Setting<T> {
  return setting(common, common.type, common.parse, common.format);
}

/**
 * Keeps the README's generated blocks (rule catalogue, Logs Insights queries, configuration) equal to what the code says.
 * `npx tsx tools/readme-sync.ts` rewrites them; test/readme.test.ts fails when they are stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../lambda/rules/registry';
import { renderQueries } from '../lambda/cli/queries';
import { SETTINGS } from '../lambda/settings/table';

export const README = join(import.meta.dirname, '..', 'README.md');

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

export function catalogueBlock(): string {
  const rows = RULES.map((r) => `| \`${r.id}\` | ${r.severity} | ${oneLine(r.description)} | ${oneLine(r.remediation)} |`);
  return ['| id | severity | what it means | fix |', '|---|---|---|---|', ...rows].join('\n');
}

export function queriesBlock(): string {
  return ['```', renderQueries('/aws/eks/prod/cluster').trimEnd(), '```'].join('\n');
}

/** The configuration table, from the settings table (lambda/settings/table.ts). */
export function settingsBlock(): string {
  const code = (v: string | undefined) => (v === undefined ? '' : `\`${v}\``);
  const rows = SETTINGS.map((s) => {
    const key = s.context ? code(s.name) : `(${s.name}, set by the stack)`;
    const value = s.required === 'always' ? 'required' : s.required === 'context' ? 'required by the app' : s.default === undefined ? '' : code(s.format(s.default));
    return `| ${key} | ${code(s.env)} | ${s.flag ? code(`--${s.flag}`) : ''} | ${oneLine(s.type)} | ${value} | ${oneLine(s.doc)} |`;
  });
  return ['| context key | environment variable | CLI flag | type | default | meaning |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

const BLOCKS: Record<string, () => string> = { rules: catalogueBlock, queries: queriesBlock, settings: settingsBlock };

/** The README with every `<!-- NAME:start -->...<!-- NAME:end -->` block regenerated. */
export function syncedReadme(text: string): string {
  let out = text;
  for (const [name, make] of Object.entries(BLOCKS)) {
    const re = new RegExp(`(<!-- ${name}:start -->)[\\s\\S]*?(<!-- ${name}:end -->)`);
    if (!re.test(out)) throw new Error(`README.md has no <!-- ${name}:start --> ... <!-- ${name}:end --> block`);
    out = out.replace(re, (_m, a: string, b: string) => `${a}\n${make()}\n${b}`);
  }
  return out;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const before = readFileSync(README, 'utf8');
  const after = syncedReadme(before);
  if (after !== before) writeFileSync(README, after);
  process.stdout.write(after === before ? 'README.md is up to date\n' : 'README.md updated\n');
}

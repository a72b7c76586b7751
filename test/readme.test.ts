import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README, syncedReadme } from '../tools/readme-sync';
import { RULES } from '../lambda/rules/registry';
import { SETTINGS } from '../lambda/settings/table';

const readme = readFileSync(README, 'utf8');

describe('README', () => {
  it('shows the two front-door commands', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm ci && npm test');
  });

  it('has a rule catalogue, queries and configuration table generated from the code (run `npx tsx tools/readme-sync.ts`)', () => {
    expect(syncedReadme(readme)).toBe(readme);
  });

  it('lists every setting in the configuration table', () => {
    for (const s of SETTINGS) expect(readme).toContain(s.context ? `| \`${s.name}\` |` : `| (${s.name}, set by the stack) |`);
  });

  it('lists every rule with its severity', () => {
    for (const r of RULES) expect(readme).toContain(`| \`${r.id}\` | ${r.severity} |`);
  });
});

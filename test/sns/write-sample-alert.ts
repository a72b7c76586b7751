/**
 * Writes docs/sample-alert.txt (the README's sample email) from the real message builder:
 *   npx tsx test/sns/write-sample-alert.ts
 * test/sns/sample-alert.test.ts fails when the file no longer matches what would be sent.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleAlertText } from './sample-alert';

const target = join(import.meta.dirname, '..', '..', 'docs', 'sample-alert.txt');
writeFileSync(target, sampleAlertText());
process.stdout.write(`wrote ${target}\n`);

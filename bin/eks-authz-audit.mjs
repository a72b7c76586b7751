#!/usr/bin/env node
// CLI entry. The runtime code is TypeScript under lambda/; tsx compiles it on the fly, so a clone works
// right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../lambda/cli/main.ts');
const { processIO } = await import('../lambda/cli/io.ts');
try {
  process.exitCode = await main(process.argv.slice(2), processIO());
} catch (err) {
  // A bug, not bad input: say so plainly, with the stack for the report.
  process.stderr.write(`eks-authz-audit: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 70;
}

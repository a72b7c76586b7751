// The CLI as a program: runs on import, with this process's arguments and streams. One file for both ways the
// launcher (bin/eks-authz-audit.mjs) starts it: bundled by esbuild as the `cli` entry (lambda/cli/bundle.mjs), or
// compiled on the fly by tsx. So the exit code and the internal-error contract live here once.
import { main } from './main';
import { processIO } from './io';

/** Exit code of a bug (BSD sysexits EX_SOFTWARE), kept apart from the codes of bad input and findings. */
const EXIT_INTERNAL = 70;

try {
  process.exitCode = await main(process.argv.slice(2), processIO());
} catch (err) {
  // A bug, not bad input: say so plainly, with the stack for the report.
  process.stderr.write(`eks-authz-audit: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = EXIT_INTERNAL;
}

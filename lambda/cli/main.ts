import { clean } from '../model/sanitize';
import { EXIT, UsageError, type CliIO } from './io';
import { scanCommand } from './scan';
import { rulesCommand } from './rules';
import packageJson from '../../package.json' with { type: 'json' };

export const USAGE = `Usage: eks-authz-audit <command> [options]

Find EKS node-authorization problems (aws-auth mappings, Node authorizer and NodeRestriction denials,
API-server authorization flags) in control-plane logs.

Commands:
  scan PATH...      scan log files, directories or stdin (-) on this machine; no AWS account needed
  rules             list the rule catalogue
  audit             run the same audit against CloudWatch Logs Insights (needs AWS credentials)
  queries           print the Logs Insights queries the audit runs, ready to paste into the console

Run 'eks-authz-audit help <command>' or 'eks-authz-audit <command> --help' for the options of a command,
'eks-authz-audit --version' for the version.
Exit codes: 0 success (with or without findings), 1 a finding reached --fail-on, 2 usage error, unreadable input,
no log record in the input (see scan --allow-empty) or, with --fail-on, an input that broke part way; 70 a bug.
`;

const COMMANDS: Record<string, (argv: string[], io: CliIO) => Promise<number>> = {
  scan: scanCommand,
  rules: rulesCommand,
  // Loaded on demand: they pull in the AWS SDK, which a local scan does not need (start-up time).
  audit: async (argv, io) => (await import('./audit')).auditCommand(argv, io),
  queries: async (argv, io) => (await import('./queries')).queriesCommand(argv, io),
};

/** -h or --help among the options (before a `--` that ends them). */
function wantsHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (arg === '-h' || arg === '--help') return true;
  }
  return false;
}

/** The CLI: returns the exit code, never throws for bad input. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '-V' || command === '--version' || command === 'version') {
    io.stdout.write(`eks-authz-audit ${packageJson.version}\n`);
    return EXIT.OK;
  }
  if (command === 'help' && rest[0] !== undefined) return main([rest[0], '--help'], io);
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    (command === undefined ? io.stderr : io.stdout).write(USAGE);
    return command === undefined ? EXIT.USAGE : EXIT.OK;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.stderr.write(`eks-authz-audit: unknown command ${JSON.stringify(clean(command, 100))}\n\n${USAGE}`);
    return EXIT.USAGE;
  }
  try {
    // Asking for help is never a usage error, whatever else is on the line (`scan --bogus --help`).
    return await run(wantsHelp(rest) ? ['--help'] : rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`eks-authz-audit ${command}: ${err.message}\nRun 'eks-authz-audit ${command} --help' for usage.\n`);
      return EXIT.USAGE;
    }
    throw err;
  }
}

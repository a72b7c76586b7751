import { EXIT, UsageError, type CliIO } from './io';
import { scanCommand } from './scan';
import { rulesCommand } from './rules';

export const USAGE = `Usage: eks-authz-audit <command> [options]

Find EKS node-authorization problems (aws-auth mappings, Node authorizer and NodeRestriction denials,
API-server authorization flags) in control-plane logs.

Commands:
  scan PATH...      scan log files, directories or stdin (-) on this machine; no AWS account needed
  rules             list the rule catalogue
  audit             run the same audit against CloudWatch Logs Insights (needs AWS credentials)
  queries           print the Logs Insights queries the audit runs, ready to paste into the console

Run 'eks-authz-audit <command> --help' for the options of a command.
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

/** The CLI: returns the exit code, never throws for bad input. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    (command === undefined ? io.stderr : io.stdout).write(USAGE);
    return command === undefined ? EXIT.USAGE : EXIT.OK;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.stderr.write(`eks-authz-audit: unknown command "${command}"\n\n${USAGE}`);
    return EXIT.USAGE;
  }
  try {
    return await run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`eks-authz-audit ${command}: ${err.message}\nRun 'eks-authz-audit ${command} --help' for usage.\n`);
      return EXIT.USAGE;
    }
    throw err;
  }
}

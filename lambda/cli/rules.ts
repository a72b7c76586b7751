import { RULES } from '../rules/registry';
import { EXIT, UsageError, parseFlags, type CliIO } from './io';

export const RULES_USAGE = `Usage: eks-authz-audit rules [--format text|json]

List the rule catalogue: id, severity and title of every rule.
`;

export async function rulesCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const { values } = parseFlags({
    args: [...argv],
    strict: true,
    options: { format: { type: 'string', default: 'text' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    io.stdout.write(RULES_USAGE);
    return EXIT.OK;
  }
  if (values.format === 'json') {
    const rules = RULES.map((r) => ({
      id: r.id, severity: r.severity, title: r.title, stream: r.needs.stream, description: r.description,
      remediation: r.remediation, references: r.references,
    }));
    io.stdout.write(`${JSON.stringify({ rules }, null, 2)}\n`);
    return EXIT.OK;
  }
  if (values.format !== 'text') throw new UsageError(`--format: "${values.format}" is not a format (expected text or json)`);
  const idWidth = Math.max(...RULES.map((r) => r.id.length));
  for (const r of RULES) io.stdout.write(`${r.id.padEnd(idWidth)}  ${r.severity.padEnd(8)}  ${r.title}\n`);
  return EXIT.OK;
}

/**
 * One shell word, quoted for POSIX shells: plain when it holds only characters no shell treats specially,
 * else in single quotes (inside which nothing is special; a single quote itself becomes '\''). Values come
 * from configuration and the EKS API, and a command in a finding is pasted into a terminal.
 */
export function shellWord(value: string): string {
  if (/^[A-Za-z0-9_.,:/=@%+-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `aws eks ...` with every argument quoted as needed. */
export function awsCommand(args: readonly string[]): string {
  return ['aws', ...args].map(shellWord).join(' ');
}

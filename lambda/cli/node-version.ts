/** The AWS SDK for JavaScript v3 releases after the first week of January 2027 need this Node.js major or later. */
export const SDK_NODE_MAJOR = 22;
/** The variable the SDK reads (process.env) to skip its own warning. */
const SDK_WARNING_OFF = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/**
 * One line for `audit` on a Node.js older than the SDK's next minimum, in place of the SDK's own 8-line warning,
 * which it prints on every run: the same facts, once, with what it means for this tool. Undefined on a current
 * Node.js, or when the user turned the SDK's warning off (they know).
 */
export function nodeVersionNote(nodeVersion: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const major = Number(nodeVersion.replace(/^v/, '').split('.')[0]);
  if (!(major < SDK_NODE_MAJOR) || env[SDK_WARNING_OFF] === 'true') return undefined;
  return (
    `eks-authz-audit: note: Node.js ${major} is past its end of life, and AWS SDK releases after the first week of ` +
    `January 2027 need Node.js ${SDK_NODE_MAJOR} or later; this version works on ${major}, but upgrade to ` +
    `${SDK_NODE_MAJOR} or later to keep getting SDK fixes (README: Requirements).\n`
  );
}

/**
 * Says the note, if any, and keeps the SDK from printing its own longer one in this process (the CLI's process:
 * the Lambda runs on a current runtime and never gets here).
 */
export function noteNodeVersion(write: (s: string) => unknown, nodeVersion: string, env: Record<string, string | undefined>): void {
  const note = nodeVersionNote(nodeVersion, env);
  if (note === undefined) return;
  write(note);
  env[SDK_WARNING_OFF] = 'true';
}

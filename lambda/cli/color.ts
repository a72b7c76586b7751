import type { OutputStream } from './io';

/**
 * Colour on a terminal unless NO_COLOR is set (https://no-color.org). FORCE_COLOR, as Node.js and most CLIs read
 * it, decides instead when set: on for any value (empty included, https://force-color.org) but 0 and false, which
 * turn colour off even on a terminal. NO_COLOR wins over both.
 */
export function useColor(stream: OutputStream, env: Readonly<Record<string, string | undefined>>): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  return stream.isTTY === true && env['TERM'] !== 'dumb';
}

/**
 * A set of 64-bit hashes in typed arrays (open addressing, linear probing, at most half full): 16 bytes a
 * member at worst, no object per member and nothing for the garbage collector to trace. What remembers
 * millions of strings in bounded memory (DistinctCounter, RequestOnce, the engine's duplicate events) keeps
 * their hashes here instead of the strings.
 */
export class HashSet64 {
  private a = new Uint32Array(1024);
  private b = new Uint32Array(1024);
  private used = 0;

  get size(): number {
    return this.used;
  }

  /** Whether the hash (hashString64's h1, h2) is a member. */
  has(h1: number, h2: number): boolean {
    const { a, b } = this;
    const mask = a.length - 1;
    for (let i = h1 & mask; a[i] !== 0; i = (i + 1) & mask) {
      if (a[i] === h1 && b[i] === h2) return true;
    }
    return false;
  }

  /** Adds the hash; true when it was not a member. */
  add(h1: number, h2: number): boolean {
    if (!this.insert(h1, h2)) return false;
    if (this.used * 2 > this.a.length) this.grow();
    return true;
  }

  /** Calls `each` with every member. */
  forEach(each: (h1: number, h2: number) => void): void {
    const { a, b } = this;
    for (let i = 0; i < a.length; i++) if (a[i] !== 0) each(a[i]!, b[i]!);
  }

  /** Empties the set and gives its memory back (a table of the initial size). */
  clear(): void {
    this.a = new Uint32Array(1024);
    this.b = new Uint32Array(1024);
    this.used = 0;
  }

  private insert(h1: number, h2: number): boolean {
    const { a, b } = this;
    const mask = a.length - 1;
    for (let i = h1 & mask; ; i = (i + 1) & mask) {
      if (a[i] === 0) {
        a[i] = h1;
        b[i] = h2;
        this.used++;
        return true;
      }
      if (a[i] === h1 && b[i] === h2) return false;
    }
  }

  private grow(): void {
    const [a, b] = [this.a, this.b];
    this.a = new Uint32Array(a.length * 2);
    this.b = new Uint32Array(b.length * 2);
    this.used = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== 0) this.insert(a[i]!, b[i]!);
  }
}

/** The last hash computed by hashString64 (one object, reused: no allocation per string). */
export const HASH = { h1: 0, h2: 0 };

/**
 * Two 32-bit FNV-1a variants of `value` into HASH (h1 is never 0, which marks an empty slot). Two different
 * strings share both with a chance of about n^2 / 2^65 among n strings: none in practice.
 */
export function hashString64(value: string): typeof HASH {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ value.length;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
  }
  HASH.h1 = h1 >>> 0 || 1;
  HASH.h2 = h2 >>> 0;
  return HASH;
}

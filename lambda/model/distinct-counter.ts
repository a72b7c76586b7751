/**
 * Counts distinct strings in bounded memory, for what a cap leaves out ("and 981,204 more nodes"): each string is
 * kept as a 64-bit hash (two 32-bit FNV-1a variants) in an open-addressing table of typed arrays, 8 bytes a
 * string instead of the string itself. Exact up to `limit` distinct strings (two different strings share both
 * hashes with a chance of about n^2 / 2^65: none in practice); past it the count stops growing and `capped` says
 * so. The table stays at most half full: at the default limit of 1 Mi strings it takes 2 x 2 Mi x 4 bytes = 16 MiB.
 */
export class DistinctCounter {
  private a = new Uint32Array(1024);
  private b = new Uint32Array(1024);
  private used = 0;
  private full = false;

  constructor(private readonly limit = 1 << 20) {}

  /** How many distinct strings were added (at most the limit). */
  get count(): number {
    return this.used;
  }

  /** True when more distinct strings came than the limit: count is then a lower bound. */
  get capped(): boolean {
    return this.full;
  }

  /** Adds `value`; true when it was not seen before (and was counted). */
  add(value: string): boolean {
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193 ^ value.length;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
    }
    // 0 marks an empty slot: hashes are never 0.
    h1 = (h1 >>> 0) || 1;
    h2 = h2 >>> 0;
    if (!this.insert(h1, h2)) return false;
    if (this.used * 2 > this.a.length) this.grow();
    return true;
  }

  /** True when (h1, h2) was new. */
  private insert(h1: number, h2: number): boolean {
    const mask = this.a.length - 1;
    for (let i = h1 & mask; ; i = (i + 1) & mask) {
      if (this.a[i] === 0) {
        if (this.used >= this.limit) {
          this.full = true;
          return false;
        }
        this.a[i] = h1;
        this.b[i] = h2;
        this.used++;
        return true;
      }
      if (this.a[i] === h1 && this.b[i] === h2) return false;
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

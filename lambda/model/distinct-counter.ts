import { HashSet64, hashString64 } from './hash-set64';

/** Registers of the estimate past the exact range: 2^14 of one byte (16 KiB), a standard error of 0.8%. */
const REGISTER_BITS = 14;
const REGISTERS = 1 << REGISTER_BITS;
const ALPHA = 0.7213 / (1 + 1.079 / REGISTERS);

/**
 * Counts distinct strings in bounded memory, for what a cap leaves out ("and about 981,000 more nodes"). Up to
 * `exactLimit` distinct strings the count is exact: each is kept as its 64-bit hash (HashSet64), 16 bytes a
 * string at worst (1 MiB at the default 65,536). Past it the set is folded into a HyperLogLog sketch of 16 KiB
 * (Flajolet et al., 2007) and the count becomes an estimate within a few percent (`estimated` says so), however
 * many strings come: memory stays the same for a thousand or a billion.
 */
export class DistinctCounter {
  private set: HashSet64 | undefined = new HashSet64();
  private registers: Uint8Array | undefined;

  constructor(private readonly exactLimit = 1 << 16) {}

  /** How many distinct strings were added: exact, or an estimate when `estimated`. */
  get count(): number {
    return this.set ? this.set.size : estimate(this.registers!);
  }

  /** True when the count is an estimate (more distinct strings came than the exact range). */
  get estimated(): boolean {
    return this.registers !== undefined;
  }

  /**
   * The count in words: "1,234", or "about 981,000" (three significant digits, as exact as an estimate is).
   * `atMost`: what the caller knows bounds it (the events behind the strings: an estimate must not exceed it).
   */
  text(atMost = Infinity): string {
    const x = Math.min(this.count, atMost);
    if (!this.estimated) return x.toLocaleString('en-US');
    const step = 10 ** Math.max(0, Math.floor(Math.log10(Math.max(1, x))) - 2);
    return `about ${(Math.round(x / step) * step).toLocaleString('en-US')}`;
  }

  /** Adds `value`. */
  add(value: string): void {
    const { h1, h2 } = hashString64(value);
    const { set } = this;
    if (!set) {
      observe(this.registers!, h1, h2);
    } else if (set.size < this.exactLimit || set.has(h1, h2)) {
      set.add(h1, h2);
    } else {
      const registers = new Uint8Array(REGISTERS);
      set.forEach((a, b) => observe(registers, a, b));
      observe(registers, h1, h2);
      this.registers = registers;
      this.set = undefined;
    }
  }
}

/** Register: the top bits of h1; value: the position of the first 1 bit in h2 (1-33), the largest seen. */
function observe(registers: Uint8Array, h1: number, h2: number): void {
  const j = h1 >>> (32 - REGISTER_BITS);
  const rank = Math.clz32(h2) + 1;
  if (rank > registers[j]!) registers[j] = rank;
}

function estimate(registers: Uint8Array): number {
  let sum = 0;
  let zeros = 0;
  for (let j = 0; j < REGISTERS; j++) {
    const r = registers[j]!;
    sum += 2 ** -r;
    if (r === 0) zeros++;
  }
  const raw = (ALPHA * REGISTERS * REGISTERS) / sum;
  // Small counts: linear counting is the better estimate while registers are still empty.
  return Math.round(raw <= 2.5 * REGISTERS && zeros > 0 ? REGISTERS * Math.log(REGISTERS / zeros) : raw);
}

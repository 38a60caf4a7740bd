/**
 * Closed compounds, which buyers and the Census index write differently: the index has
 * "Lawnmowers" where a line says "MOWER", and a line says "FACEMASK", "WASTEWATER", "LEMONLIME" or
 * "PICKUP" where the index has two words or a hyphen ("pick-up"). For a word no lexicon phrase has,
 * this gives the lexicon words it stands for: the words of a hyphenated lexicon word it writes
 * closed ("pickup": "pick" + "up", which the split below would not find, "up" being short), else
 * the compound of the lexicon that ends in it (after a lexicon word of at least four letters:
 * "lawn" + "mowers"), else its split into two lexicon words ("face" + "mask"). Words the lexicon
 * has are never touched, so this only adds terms a line would otherwise lose.
 */
export class Compounds {
  /** word → how many phrases use it. */
  readonly #count = new Map<string, number>();
  /** A lexicon word's tail after a lexicon word of four letters or more → the most used such compound. */
  readonly #compoundEndingIn = new Map<string, string>();
  /** A hyphenated lexicon word written closed ("pickup") → its words ("pick", "up"). */
  readonly #closed = new Map<string, readonly string[]>();
  readonly #memo = new Map<string, readonly string[] | null>();

  static readonly MIN_HEAD = 4;
  static readonly MIN_TAIL = 4;
  static readonly MIN_PART = 3;

  /**
   * @param phraseWords the words (normalise.ts words()) of each lexicon phrase
   * @param hyphenated the lexicon's hyphenated words ("pick-up") with their words (["pick", "up"])
   */
  constructor(phraseWords: Iterable<readonly string[]>, hyphenated: Iterable<readonly [word: string, words: readonly string[]]> = []) {
    for (const [w, ws] of hyphenated) {
      const closed = w.toLowerCase().replaceAll('-', '');
      if (ws.length > 0 && !this.#closed.has(closed)) this.#closed.set(closed, ws);
    }
    for (const ws of phraseWords) for (const w of new Set(ws)) this.#count.set(w, (this.#count.get(w) ?? 0) + 1);
    for (const [w, c] of this.#count) {
      for (let i = Compounds.MIN_HEAD; i <= w.length - Compounds.MIN_TAIL; i++) {
        if (!this.#count.has(w.slice(0, i))) continue;
        const tail = w.slice(i);
        const have = this.#compoundEndingIn.get(tail);
        const hc = have === undefined ? -1 : this.#count.get(have)!;
        // the most used compound; alphabetical order breaks ties, so the answer never depends on build order
        if (c > hc || (c === hc && w < have!)) this.#compoundEndingIn.set(tail, w);
      }
    }
  }

  /** The lexicon words an unknown word stands for, or undefined when it is known or nothing fits. */
  resolve(word: string): readonly string[] | undefined {
    if (word.length < Compounds.MIN_TAIL || this.#count.has(word)) return undefined;
    let r = this.#memo.get(word);
    if (r === undefined) {
      r = this.#find(word);
      if (this.#memo.size < 100_000) this.#memo.set(word, r);
    }
    return r ?? undefined;
  }

  #find(word: string): readonly string[] | null {
    const closed = this.#closed.get(word) ?? this.#closed.get(word.endsWith('s') ? word.slice(0, -1) : `${word}s`);
    if (closed !== undefined) return closed;
    const compound = this.#compoundEndingIn.get(word) ?? this.#compoundEndingIn.get(`${word}s`);
    if (compound !== undefined) return [compound];
    for (let i = Compounds.MIN_PART; i <= word.length - Compounds.MIN_PART; i++) {
      const head = word.slice(0, i);
      const tail = word.slice(i);
      if (this.#count.has(head) && (this.#count.has(tail) || this.#count.has(`${tail}s`))) return [head, tail];
    }
    return null;
  }
}

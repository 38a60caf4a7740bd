import { terms } from './normalise.ts';

export interface PhraseHit {
  key: number;
  /** Best phrase score of the key (BM25 over phrases). */
  score: number;
  /** The phrase that scored it. */
  phrase: number;
  /** Share of the query's weight (IDF) the phrase covers, in [0, 1]. */
  coverage: number;
}

/**
 * BM25 over short phrases (index entries, titles), each pointing at a key. A key scores as its best
 * phrase plus a little of its second best, so a code with many phrases that each say a bit
 * of the query does not outrank one phrase that says all of it. Postings are typed arrays and the
 * accumulator is reused, so a query costs only the postings of its terms.
 */
export class PhraseIndex {
  readonly #phraseKey: Int32Array;
  readonly #phraseLen: Float32Array;
  readonly #postings = new Map<string, { phrases: Int32Array; tf: Float32Array; idf: number }>();
  readonly #avgLen: number;
  readonly #acc: Float64Array;
  readonly #seen: Uint8Array;
  readonly #covered: Float64Array;
  readonly #bestScore: Float64Array;
  readonly #bestPhrase: Int32Array;
  readonly #secondScore: Float64Array;
  readonly keyCount: number;
  readonly phraseCount: number;
  static readonly K1 = 1.2;
  static readonly B = 0.5;

  constructor(phrases: readonly { key: number; text: string; weight?: number }[], keyCount: number) {
    this.keyCount = keyCount;
    this.phraseCount = phrases.length;
    this.#phraseKey = new Int32Array(phrases.length);
    this.#phraseLen = new Float32Array(phrases.length);
    const lists = new Map<string, { phrases: number[]; tf: number[] }>();
    let total = 0;
    phrases.forEach((p, i) => {
      this.#phraseKey[i] = p.key;
      const ts = terms(p.text);
      this.#phraseLen[i] = ts.length;
      total += ts.length;
      const counts = new Map<string, number>();
      for (const t of ts) counts.set(t, (counts.get(t) ?? 0) + 1);
      for (const [t, n] of counts) {
        let l = lists.get(t);
        if (!l) lists.set(t, (l = { phrases: [], tf: [] }));
        l.phrases.push(i);
        l.tf.push(n * (p.weight ?? 1));
      }
    });
    this.#avgLen = phrases.length > 0 ? total / phrases.length : 1;
    const n = phrases.length;
    for (const [t, l] of lists) {
      const df = l.phrases.length;
      this.#postings.set(t, { phrases: Int32Array.from(l.phrases), tf: Float32Array.from(l.tf), idf: Math.log(1 + (n - df + 0.5) / (df + 0.5)) });
    }
    this.#acc = new Float64Array(n);
    this.#seen = new Uint8Array(n);
    this.#covered = new Float64Array(n);
    this.#bestScore = new Float64Array(keyCount);
    this.#bestPhrase = new Int32Array(keyCount);
    this.#secondScore = new Float64Array(keyCount);
  }

  /** Inverse document frequency of a term; 0 for a term no phrase has. */
  idf(term: string): number {
    return this.#postings.get(term)?.idf ?? 0;
  }

  /**
   * The best `limit` keys for weighted query terms, admitted by `allow` (unit compatibility).
   * Coverage is the share of the query's total IDF weight found in the key's best phrase.
   */
  search(query: readonly { term: string; weight: number }[], limit: number, allow: (key: number) => boolean, prior?: Float64Array): PhraseHit[] {
    const { K1, B } = PhraseIndex;
    const touched: number[] = [];
    let queryWeight = 0;
    for (const { term, weight } of query) {
      const p = this.#postings.get(term);
      const idf = p?.idf ?? 0;
      queryWeight += idf * weight;
      if (!p) continue;
      const { phrases, tf } = p;
      for (let j = 0; j < phrases.length; j++) {
        const ph = phrases[j]!;
        const f = tf[j]!;
        const s = (idf * weight * (f * (K1 + 1))) / (f + K1 * (1 - B + (B * this.#phraseLen[ph]!) / this.#avgLen));
        if (this.#seen[ph] === 0) {
          this.#seen[ph] = 1;
          touched.push(ph);
        }
        this.#acc[ph]! += s;
        this.#covered[ph]! += idf * weight;
      }
    }
    const keys: number[] = [];
    for (const ph of touched) {
      const k = this.#phraseKey[ph]!;
      const s = this.#acc[ph]!;
      if (this.#bestScore[k] === 0 && this.#secondScore[k] === 0) keys.push(k);
      if (s > this.#bestScore[k]!) {
        this.#secondScore[k] = this.#bestScore[k]!;
        this.#bestScore[k] = s;
        this.#bestPhrase[k] = ph;
      } else if (s > this.#secondScore[k]!) this.#secondScore[k] = s;
    }
    // Keep the best `limit` keys with an insertion-sorted buffer: cheaper than sorting every key touched.
    const hits: PhraseHit[] = [];
    for (const k of keys) {
      if (allow(k)) {
        const score = (this.#bestScore[k]! + 0.25 * this.#secondScore[k]!) * (prior?.[k] ?? 1);
        if (hits.length < limit || score > hits[hits.length - 1]!.score || (score === hits[hits.length - 1]!.score && k < hits[hits.length - 1]!.key)) {
          const phrase = this.#bestPhrase[k]!;
          const hit = { key: k, score, phrase, coverage: queryWeight > 0 ? this.#covered[phrase]! / queryWeight : 0 };
          let i = hits.length;
          while (i > 0 && (hits[i - 1]!.score < score || (hits[i - 1]!.score === score && hits[i - 1]!.key > k))) i--;
          hits.splice(i, 0, hit);
          if (hits.length > limit) hits.pop();
        }
      }
      this.#bestScore[k] = 0;
      this.#secondScore[k] = 0;
    }
    for (const ph of touched) {
      this.#acc[ph] = 0;
      this.#seen[ph] = 0;
      this.#covered[ph] = 0;
    }
    return hits;
  }
}

/**
 * Each key's phrases as one document, for a key-level BM25 score of a few candidate keys: a forward
 * index (term frequencies per key), so scoring a candidate costs one lookup per query term.
 */
export class KeyDocuments {
  readonly #tf: Map<string, number>[];
  readonly #len: Float64Array;
  readonly #idf = new Map<string, number>();
  readonly #avgLen: number;

  constructor(texts: readonly string[][]) {
    this.#tf = texts.map((parts) => {
      const m = new Map<string, number>();
      for (const t of terms(parts.join(' ; '))) m.set(t, (m.get(t) ?? 0) + 1);
      return m;
    });
    this.#len = Float64Array.from(this.#tf, (m) => [...m.values()].reduce((a, b) => a + b, 0));
    this.#avgLen = this.#len.length > 0 ? this.#len.reduce((a, b) => a + b, 0) / this.#len.length : 1;
    const df = new Map<string, number>();
    for (const m of this.#tf) for (const t of m.keys()) df.set(t, (df.get(t) ?? 0) + 1);
    const n = this.#tf.length;
    for (const [t, d] of df) this.#idf.set(t, Math.log(1 + (n - d + 0.5) / (d + 0.5)));
  }

  score(key: number, query: readonly { term: string; weight: number }[]): number {
    const { K1, B } = PhraseIndex;
    const tf = this.#tf[key]!;
    const norm = K1 * (1 - B + (B * this.#len[key]!) / this.#avgLen);
    let s = 0;
    for (const { term, weight } of query) {
      const f = tf.get(term);
      if (f) s += (this.#idf.get(term)! * weight * (f * (K1 + 1))) / (f + norm);
    }
    return s;
  }
}

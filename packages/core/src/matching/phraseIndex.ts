import { terms } from './normalise.ts';

export interface QueryTerm {
  term: string;
  weight: number;
}

export interface PhraseHit {
  key: number;
  /** Best phrase score of the key (BM25 over phrases, plus a little of the second best), times the prior. */
  score: number;
  /** The phrase that scored it. */
  phrase: number;
  /** Share of the query's weight (IDF) the phrase covers, in [0, 1]. */
  coverage: number;
  /** Share of the phrase's own IDF the query covers, in [0, 1]: low when the phrase names much the text does not. */
  phraseCoverage: number;
}

/** Whether a key with this score ranks before a hit: a higher score, or the same and a lower key (the order every ranking of hits keeps). */
export function outranks(score: number, key: number, hit: PhraseHit): boolean {
  return score > hit.score || (score === hit.score && key < hit.key);
}

/**
 * Hits best first (outranks), in place: an insertion sort, as the hits come nearly in order (by
 * their phrase, before the document score or a prior moved them a little), and a few dozen such
 * hits are sorted twice per row, where Array.prototype.sort's comparator calls cost 10% of a match.
 */
export function sortHits(hits: PhraseHit[]): PhraseHit[] {
  for (let i = 1; i < hits.length; i++) {
    const h = hits[i]!;
    let j = i;
    while (j > 0 && outranks(h.score, h.key, hits[j - 1]!)) {
      hits[j] = hits[j - 1]!;
      j--;
    }
    hits[j] = h;
  }
  return hits;
}

/**
 * BM25 over short phrases (index entries, titles), each pointing at a key. A phrase's BM25 is scaled
 * by the square root of the share of its own IDF the query covers: BM25 alone does not mind what a
 * phrase says beyond the query, so "Impact wrenches, handheld power-driven" would tie with
 * "Wrenches, handtools, nonpowered" for a plain wrench (on the Austin development set this lifted
 * top-1 by about one point on each half). A key scores as its best phrase plus a little of its
 * second best, so a code with many phrases that each say a bit of the query does not outrank one
 * phrase that says all of it. Postings are typed arrays and the accumulators are reused, so a
 * query costs only the postings of its terms.
 */
export class PhraseIndex {
  readonly #phraseKey: Int32Array;
  /** BM25 length normalisation of each phrase, K1 · (1 − B + B · len / avgLen), computed once. */
  readonly #phraseNorm: Float32Array;
  /** Sum of the IDF of a phrase's distinct terms: how much the phrase says. */
  readonly #phraseIdf: Float32Array;
  readonly #postings = new Map<string, { phrases: Int32Array; tf: Float32Array; idf: number }>();
  readonly #acc: Float64Array;
  readonly #covered: Float64Array;
  readonly #matchedIdf: Float64Array;
  readonly #touched: Int32Array;
  readonly #bestScore: Float64Array;
  readonly #bestPhrase: Int32Array;
  readonly #secondScore: Float64Array;
  readonly #keysTouched: Int32Array;
  readonly keyCount: number;
  readonly phraseCount: number;
  static readonly K1 = 1.2;
  static readonly B = 0.5;

  constructor(phrases: readonly { key: number; text: string; weight?: number }[], keyCount: number) {
    const { K1, B } = PhraseIndex;
    const n = phrases.length;
    this.keyCount = keyCount;
    this.phraseCount = n;
    this.#phraseKey = new Int32Array(n);
    const len = new Float64Array(n);
    const lists = new Map<string, { phrases: number[]; tf: number[] }>();
    let total = 0;
    phrases.forEach((p, i) => {
      this.#phraseKey[i] = p.key;
      const ts = terms(p.text);
      len[i] = ts.length;
      total += ts.length;
      const counts = new Map<string, number>();
      for (const t of ts) counts.set(t, (counts.get(t) ?? 0) + 1);
      for (const [t, c] of counts) {
        let l = lists.get(t);
        if (!l) lists.set(t, (l = { phrases: [], tf: [] }));
        l.phrases.push(i);
        l.tf.push(c * (p.weight ?? 1));
      }
    });
    const avgLen = n > 0 ? total / n : 1;
    this.#phraseNorm = Float32Array.from(len, (l) => K1 * (1 - B + (B * l) / avgLen));
    this.#phraseIdf = new Float32Array(n);
    for (const [t, l] of lists) {
      const df = l.phrases.length;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      this.#postings.set(t, { phrases: Int32Array.from(l.phrases), tf: Float32Array.from(l.tf), idf });
      for (const ph of l.phrases) this.#phraseIdf[ph]! += idf;
    }
    this.#acc = new Float64Array(n);
    this.#covered = new Float64Array(n);
    this.#matchedIdf = new Float64Array(n);
    this.#touched = new Int32Array(n);
    this.#bestScore = new Float64Array(keyCount);
    this.#bestPhrase = new Int32Array(keyCount);
    this.#secondScore = new Float64Array(keyCount);
    this.#keysTouched = new Int32Array(keyCount);
  }

  /** Inverse document frequency of a term; 0 for a term no phrase has. */
  idf(term: string): number {
    return this.#postings.get(term)?.idf ?? 0;
  }

  /**
   * The best `limit` keys for weighted query terms, admitted by `allow` (unit compatibility: 1 for
   * each key admitted; all are when absent).
   * Coverage is the share of the query's IDF weight found in the key's best phrase, counting the
   * words some admitted key's phrase has (a word only other keys have, or none, counts for nothing).
   */
  search(query: readonly QueryTerm[], limit: number, allow: Uint8Array | undefined, prior?: Float64Array): PhraseHit[] {
    const { K1 } = PhraseIndex;
    const acc = this.#acc;
    const covered = this.#covered;
    const matchedIdf = this.#matchedIdf;
    const touched = this.#touched;
    const norm = this.#phraseNorm;
    let nTouched = 0;
    let queryWeight = 0;
    const phraseKey = this.#phraseKey;
    for (const { term, weight } of query) {
      const p = this.#postings.get(term);
      if (!p) continue;
      const { phrases, tf, idf } = p;
      const w = idf * weight;
      // A word no admitted key's phrase has says nothing of which of them it is ("top-up" for a
      // refrigerant in kg): it does not count against their coverage.
      let admitted = allow === undefined;
      for (let j = 0; j < phrases.length; j++) {
        const ph = phrases[j]!;
        const f = tf[j]!;
        if (!admitted && allow![phraseKey[ph]!] === 1) admitted = true;
        if (matchedIdf[ph] === 0) touched[nTouched++] = ph;
        acc[ph]! += (w * (f * (K1 + 1))) / (f + norm[ph]!);
        covered[ph]! += w;
        matchedIdf[ph]! += idf;
      }
      if (admitted) queryWeight += w;
    }
    const keys = this.#keysTouched;
    const phraseIdf = this.#phraseIdf;
    const bestScore = this.#bestScore;
    const secondScore = this.#secondScore;
    const bestPhrase = this.#bestPhrase;
    let nKeys = 0;
    for (let i = 0; i < nTouched; i++) {
      const ph = touched[i]!;
      const k = phraseKey[ph]!;
      const s = acc[ph]! * Math.sqrt(matchedIdf[ph]! / phraseIdf[ph]!);
      const best = bestScore[k]!;
      if (best === 0 && secondScore[k] === 0) keys[nKeys++] = k;
      if (s > best) {
        secondScore[k] = best;
        bestScore[k] = s;
        bestPhrase[k] = ph;
      } else if (s > secondScore[k]!) secondScore[k] = s;
    }
    // Keep the best `limit` keys with an insertion-sorted buffer: cheaper than sorting every key touched.
    const hits: PhraseHit[] = [];
    for (let i = 0; i < nKeys; i++) {
      const k = keys[i]!;
      if (allow === undefined || allow[k] === 1) {
        const score = (bestScore[k]! + 0.25 * secondScore[k]!) * (prior?.[k] ?? 1);
        if (hits.length < limit || outranks(score, k, hits[hits.length - 1]!)) {
          const phrase = bestPhrase[k]!;
          const hit: PhraseHit = {
            key: k,
            score,
            phrase,
            coverage: queryWeight > 0 ? covered[phrase]! / queryWeight : 0,
            phraseCoverage: phraseIdf[phrase]! > 0 ? Math.min(1, matchedIdf[phrase]! / phraseIdf[phrase]!) : 0,
          };
          let j = hits.length;
          while (j > 0 && outranks(score, k, hits[j - 1]!)) j--;
          hits.splice(j, 0, hit);
          if (hits.length > limit) hits.pop();
        }
      }
      bestScore[k] = 0;
      secondScore[k] = 0;
    }
    for (let i = 0; i < nTouched; i++) {
      const ph = touched[i]!;
      acc[ph] = 0;
      covered[ph] = 0;
      matchedIdf[ph] = 0;
    }
    return hits;
  }
}

/**
 * Each key's phrases as one document, for a key-level BM25 score of a few candidate keys: an
 * inverted index over keys, accumulated for the query's terms and read for the candidates.
 */
export class KeyDocuments {
  readonly #postings = new Map<string, { keys: Int32Array; tf: Float32Array; idf: number }>();
  readonly #norm: Float64Array;
  readonly #acc: Float64Array;
  #out = new Float64Array(32);

  constructor(texts: readonly string[][]) {
    const { K1, B } = PhraseIndex;
    const n = texts.length;
    const len = new Float64Array(n);
    const lists = new Map<string, { keys: number[]; tf: number[] }>();
    texts.forEach((parts, k) => {
      const m = new Map<string, number>();
      for (const t of terms(parts.join(' ; '))) m.set(t, (m.get(t) ?? 0) + 1);
      for (const [t, f] of m) {
        len[k]! += f;
        let l = lists.get(t);
        if (!l) lists.set(t, (l = { keys: [], tf: [] }));
        l.keys.push(k);
        l.tf.push(f);
      }
    });
    const avgLen = n > 0 ? len.reduce((a, b) => a + b, 0) / n : 1;
    this.#norm = Float64Array.from(len, (l) => K1 * (1 - B + (B * l) / avgLen));
    for (const [t, l] of lists) {
      const df = l.keys.length;
      this.#postings.set(t, { keys: Int32Array.from(l.keys), tf: Float32Array.from(l.tf), idf: Math.log(1 + (n - df + 0.5) / (df + 0.5)) });
    }
    this.#acc = new Float64Array(n);
  }

  /**
   * BM25 of each of `keys` (as one document of all its phrases) for the query, in the order given.
   * The array returned is reused by the next call (this runs once per row matched).
   */
  scores(query: readonly QueryTerm[], keys: readonly number[]): Float64Array {
    const { K1 } = PhraseIndex;
    const acc = this.#acc;
    const norm = this.#norm;
    for (const { term, weight } of query) {
      const p = this.#postings.get(term);
      if (!p) continue;
      const w = p.idf * weight;
      for (let j = 0; j < p.keys.length; j++) {
        const k = p.keys[j]!;
        const f = p.tf[j]!;
        acc[k]! += (w * f * (K1 + 1)) / (f + norm[k]!);
      }
    }
    if (this.#out.length < keys.length) this.#out = new Float64Array(keys.length);
    const out = this.#out;
    keys.forEach((k, i) => (out[i] = acc[k]!));
    for (const { term } of query) {
      const p = this.#postings.get(term);
      if (p) for (let j = 0; j < p.keys.length; j++) acc[p.keys[j]!] = 0;
    }
    return out;
  }

  score(key: number, query: readonly QueryTerm[]): number {
    return this.scores(query, [key])[0]!;
  }
}

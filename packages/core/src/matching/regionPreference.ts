import { regionPath } from '../calculation/matchFactor.ts';
import type { MatchTarget } from './types.ts';

/**
 * A key none of whose factors is for the row's region (nor a parent of it, nor GLOBAL) counts this
 * much: "electricity" for a US site is the grid average the US has a factor in, not DESNZ's UK
 * electricity, which would stand in for it (matchFactor.ts). A power of two, so that when every
 * candidate is in the same case the answer is the same to the last bit as with no region.
 */
const REGION_STAND_IN = 0.5;

/** What a row's region does to the keys a text can match: nothing (cls ''), or a weight per key under a class name. */
export interface RegionWeights {
  /** '' when the region changes no ranking; else a name shared by every region with the same weights. */
  cls: string;
  /** Per key: 1 for a key with a factor for the region (or a parent of it, or GLOBAL), REGION_STAND_IN otherwise. */
  weight?: Float64Array;
}

const ANY_REGION: RegionWeights = { cls: '' };

/**
 * Where the activity took place, as a weight per key: of two keys that name a thing alike, the one
 * with a factor there wins; the region and year then choose among that key's factors
 * (matchFactor.ts). The weights enter the search, so they widen the lead of a key with a factor
 * there and its confidence with it ("Heating oil" at a US site: 0.45 without the region, 0.83 with
 * it, DESNZ's UK burning oil then half): the region is evidence, not only a tie-break. Worked out
 * once per region and unit dimension.
 */
export class RegionPreference {
  readonly #regionsOf: (ReadonlySet<string> | undefined)[];
  readonly #admitted: (dimension: string | undefined) => Uint8Array | undefined;
  readonly #neutral: Uint8Array;
  readonly #byRegion = new Map<string, RegionWeights>();
  readonly #classOfWeights = new Map<string, string>();

  /**
   * `admitted`: per unit dimension, 1 for each key a row in it can match (all when undefined).
   * `neutral`: keys the region says nothing about (boundaries, which have no factor anywhere): weight
   * 1, and left out when telling whether the region changes a ranking.
   */
  constructor(targets: readonly MatchTarget[], admitted: (dimension: string | undefined) => Uint8Array | undefined, neutral: (key: number) => boolean = () => false) {
    this.#regionsOf = targets.map((t) => (t.regions ? new Set(t.regions.map((r) => r.toUpperCase())) : undefined));
    this.#admitted = admitted;
    this.#neutral = Uint8Array.from(targets, (_, k) => (neutral(k) ? 1 : 0));
  }

  of(region: string | undefined, dimension: string | undefined): RegionWeights {
    if (!region) return ANY_REGION;
    const key = `${region}|${dimension ?? ''}`;
    let r = this.#byRegion.get(key);
    if (!r) {
      const path = regionPath(region);
      const allow = this.#admitted(dimension);
      const serves = Uint8Array.from(this.#regionsOf, (rs, k) => (!rs || this.#neutral[k] === 1 || path.some((p) => rs.has(p)) ? 1 : 0));
      // Every key the unit admits served, or none (spend keys are all US): the weights change no ranking.
      const counts = (k: number) => (!allow || allow[k] === 1) && this.#neutral[k] === 0;
      const first = serves.findIndex((_, k) => counts(k));
      if (serves.every((x, k) => !counts(k) || x === serves[first])) r = ANY_REGION;
      else {
        const content = serves.join('');
        let cls = this.#classOfWeights.get(content);
        if (cls === undefined) this.#classOfWeights.set(content, (cls = `r${this.#classOfWeights.size + 1}`));
        r = { cls, weight: Float64Array.from(serves, (x) => (x ? 1 : REGION_STAND_IN)) };
      }
      if (this.#byRegion.size >= 10_000) this.#byRegion.clear();
      this.#byRegion.set(key, r);
    }
    return r;
  }
}

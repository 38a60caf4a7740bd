/** Plain, structured-clone-able factor data as the library stores it. */
export type Scope = 1 | 2 | 3;

/**
 * How the per-gas values are expressed. DESNZ publishes each gas already weighted to CO2e under
 * its GWP basis ("kg CO2e of CH4 per unit"); EPA publishes gas masses ("kg CH4 per unit").
 */
export type GasBasis = 'co2e' | 'mass';

export interface EmissionFactor {
  /** Stable id: factor set id + the source's own row id. */
  id: string;
  factorSetId: string;
  activityKey: string;
  name: string;
  /** null for rows DESNZ publishes "outside of scopes" (biogenic CO2). */
  scope: Scope | null;
  category: string;
  region: string;
  year: number;
  /** Unit code from the unit table (per unit of activity). */
  unit: string;
  /** Published total kg CO2e per unit under gwpBasis, when the source gives one. */
  co2e: string | null;
  gasBasis: GasBasis;
  /** GWP set the source used for co2e and for gas values given as CO2e. */
  gwpBasis: string | null;
  /** Normalised gas -> value per unit (see gasBasis). */
  gases: Record<string, string>;
  /** Spend-based factors: per unit of which currency, in which year's prices, at which price. */
  priceBasis?: PriceBasis | undefined;
  /** The source's row reference(s), so an auditor can find the published line. */
  sourceRef: string;
  /** The published cells the factor was read from. */
  sourceRows: SourceRow[];
  /** Organisation factors say what they are; absent (or 'published') for published sets. */
  kind?: FactorKind | undefined;
  /** Supplier-specific factors: whose. */
  supplier?: string | undefined;
  /** Contractual instruments (market-based Scope 2): the instrument the factor rests on. */
  instrument?: ContractualInstrument | undefined;
}

export const FACTOR_KINDS = ['published', 'supplier_specific', 'contractual_instrument', 'residual_mix', 'custom'] as const;
export type FactorKind = (typeof FACTOR_KINDS)[number];

export const INSTRUMENT_TYPES = ['EAC', 'PPA', 'supplier_contract', 'green_tariff', 'self_generation'] as const;
export type InstrumentType = (typeof INSTRUMENT_TYPES)[number];

export interface ContractualInstrument {
  type: InstrumentType;
  /** REGO, GO, I-REC, REC... */
  trackingSystem?: string | undefined;
  /** Decimal string. */
  volumeMWh?: string | undefined;
  /** Entity codes the instrument is allocated to. */
  entityCodes?: string[] | undefined;
  /** YYYY-MM-DD, inclusive. */
  validFrom: string;
  validTo: string;
  certificateIds?: string[] | undefined;
}

export interface PriceBasis {
  currency: string;
  year: number;
  /** purchaser price (with trade and transport margins) or producer (basic) price. */
  price: 'purchaser' | 'producer';
}

export interface SourceRow {
  line: number;
  id: string | null;
  ghg: string;
  value: string;
}

export interface FactorSetMeta {
  id: string;
  source: string;
  edition: string;
  publicationYear: number;
  licence: string;
  region: string;
  gwpBasis: string;
}

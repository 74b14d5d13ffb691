import { PriceTier } from './social-account';

/**
 * How an account's reach becomes a price. Tiers are checked from the highest threshold down;
 * the price is `ratePer1000Followers` of the tier times followers / 1000, in minor units.
 */
export interface PricePolicy {
  currency: string;
  tiers: Array<{ tier: PriceTier; minFollowers: number; ratePer1000Followers: number }>;
}

export const DEFAULT_PRICE_POLICY: PricePolicy = {
  currency: 'USD',
  tiers: [
    { tier: PriceTier.S, minFollowers: 1_000_000, ratePer1000Followers: 1_200 },
    { tier: PriceTier.A, minFollowers: 100_000, ratePer1000Followers: 1_000 },
    { tier: PriceTier.B, minFollowers: 10_000, ratePer1000Followers: 800 },
    { tier: PriceTier.C, minFollowers: 1_000, ratePer1000Followers: 600 },
    { tier: PriceTier.N, minFollowers: 0, ratePer1000Followers: 0 },
  ],
};

export interface Price {
  tier: PriceTier;
  price: number;
  currency: string;
}

export function priceFor(followers: number, policy: PricePolicy): Price {
  const band = policy.tiers.find((t) => followers >= t.minFollowers) ?? policy.tiers[policy.tiers.length - 1];
  // Integer arithmetic first, then one rounding: the result is a whole number of minor units.
  const price = Math.round((Math.max(0, followers) * band.ratePer1000Followers) / 1000);
  return { tier: band.tier, price: Math.min(price, Number.MAX_SAFE_INTEGER), currency: policy.currency };
}

/** Validates a policy read from PRICE_POLICY_FILE. Returns the policy, or a message saying what is wrong. */
export function parsePricePolicy(input: unknown): PricePolicy | string {
  if (typeof input !== 'object' || input === null) return 'must be a JSON object with "currency" and "tiers"';
  const { currency, tiers } = input as Record<string, unknown>;
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) return '"currency" must be an ISO 4217 code such as "USD"';
  if (!Array.isArray(tiers) || tiers.length === 0) return '"tiers" must be a non-empty array';
  const parsed: PricePolicy['tiers'] = [];
  const seen = new Set<string>();
  for (const [i, raw] of tiers.entries()) {
    const { tier, minFollowers, ratePer1000Followers } = (raw ?? {}) as Record<string, unknown>;
    if (typeof tier !== 'string' || !(tier in PriceTier)) return `tiers[${i}].tier must be one of ${Object.keys(PriceTier).join(', ')}`;
    if (seen.has(tier)) return `tiers[${i}].tier ${tier} appears twice`;
    seen.add(tier);
    if (!Number.isSafeInteger(minFollowers) || (minFollowers as number) < 0) return `tiers[${i}].minFollowers must be a whole number ≥ 0`;
    if (!Number.isSafeInteger(ratePer1000Followers) || (ratePer1000Followers as number) < 0) {
      return `tiers[${i}].ratePer1000Followers must be a whole number of minor units ≥ 0`;
    }
    parsed.push({ tier: tier as PriceTier, minFollowers: minFollowers as number, ratePer1000Followers: ratePer1000Followers as number });
  }
  parsed.sort((a, b) => b.minFollowers - a.minFollowers);
  if (parsed[parsed.length - 1].minFollowers !== 0) return 'one tier must start at minFollowers 0 so every account gets a tier';
  return { currency, tiers: parsed };
}

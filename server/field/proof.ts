import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { packDir } from '../geodata/pack-read.ts';

/**
 * Proof of work per category (the city pack's proof.json, keyed by category code): which photos
 * resolving from the field needs, and the distance (metres) beyond which a resolution is flagged.
 * A category inherits its nearest ancestor's rule (`roads.pothole` → `roads`), else `default`.
 * Pure apart from reading the pack file once.
 */
export const ProofRuleSchema = z.object({
  before: z.boolean(),
  after: z.boolean(),
  farM: z.number().int().min(10).max(100_000),
});
export type ProofRule = z.infer<typeof ProofRuleSchema>;

const ProofFileSchema = z.record(z.string(), z.union([ProofRuleSchema, z.string()]));

/** What a pack without proof.json asks: a photo after the work, within 300 m. */
export const DEFAULT_PROOF: ProofRule = { before: false, after: true, farM: 300 };

export type ProofRules = ReadonlyMap<string, ProofRule>;

/** Parses a proof.json's content (keys starting with `$` are comments). */
export function parseProofRules(json: unknown): ProofRules {
  const parsed = ProofFileSchema.parse(json);
  const out = new Map<string, ProofRule>();
  for (const [k, v] of Object.entries(parsed)) if (!k.startsWith('$') && typeof v !== 'string') out.set(k, v);
  return out;
}

/** The rule of a category code: its own, its nearest ancestor's, `default`, or DEFAULT_PROOF. */
export function proofRuleFor(rules: ProofRules, code: string): ProofRule {
  for (let c = code; c; c = c.includes('.') ? c.slice(0, c.lastIndexOf('.')) : '') {
    const r = rules.get(c);
    if (r) return r;
  }
  return rules.get('default') ?? DEFAULT_PROOF;
}

const cache = new Map<string, ProofRules>();

/** The rules of a city pack (JARDEM_CITY), read once per process. */
export function packProofRules(city: string): ProofRules {
  let rules = cache.get(city);
  if (!rules) {
    const file = join(packDir(city), 'proof.json');
    rules = existsSync(file) ? parseProofRules(JSON.parse(readFileSync(file, 'utf8'))) : new Map();
    cache.set(city, rules);
  }
  return rules;
}

export type ProofFlag = 'far' | 'photo_before_appeal' | 'no_position';

/** What a resolution from the field is checked against. */
export interface ResolutionFacts {
  rule: ProofRule;
  /** Metres from the appeal's point to where the device stood; null without a position. */
  distanceM: number | null;
  /** When the appeal was registered. */
  appealCreatedAt: Date;
  /** The proof photos' times. */
  photoTimes: readonly Date[];
}

/** The flags a supervisor should see on this resolution (empty: nothing to look at). */
export function resolutionFlags(f: ResolutionFacts): ProofFlag[] {
  const flags: ProofFlag[] = [];
  if (f.distanceM === null) flags.push('no_position');
  else if (f.distanceM > f.rule.farM) flags.push('far');
  if (f.photoTimes.some((t) => t.getTime() < f.appealCreatedAt.getTime())) flags.push('photo_before_appeal');
  return flags;
}

/** The photo kinds a resolution still lacks, given the kinds already uploaded. */
export function missingProof(rule: ProofRule, have: ReadonlySet<string>): ('before' | 'after')[] {
  const out: ('before' | 'after')[] = [];
  if (rule.before && !have.has('before')) out.push('before');
  if (rule.after && !have.has('after')) out.push('after');
  return out;
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROOF, missingProof, parseProofRules, proofRuleFor, resolutionFlags } from '../../server/field/proof.ts';

/** Proof rules of the Taraz pack (geodata/taraz/proof.json) and the flags a resolution gets. */
const taraz = parseProofRules(JSON.parse(readFileSync('geodata/taraz/proof.json', 'utf8')));
const codes = (nodes: { code: string; children: unknown[] }[]): string[] =>
  nodes.flatMap((n) => [n.code, ...codes(n.children as { code: string; children: unknown[] }[])]);
const categories = codes(JSON.parse(readFileSync('geodata/taraz/categories.json', 'utf8')));

describe('proof rules', () => {
  it('inherit from the nearest ancestor, then default', () => {
    expect(proofRuleFor(taraz, 'roads.pothole')).toEqual({ before: true, after: true, farM: 150 });
    expect(proofRuleFor(taraz, 'roads.traffic_lights.dark')).toEqual({ before: false, after: true, farM: 100 });
    expect(proofRuleFor(taraz, 'heating.billing')).toMatchObject({ after: false });
    expect(proofRuleFor(taraz, 'nowhere.at_all')).toEqual(taraz.get('default'));
    expect(proofRuleFor(new Map(), 'roads.pothole')).toEqual(DEFAULT_PROOF);
  });

  it('name only categories of the pack', () => {
    const unknown = [...taraz.keys()].filter((k) => k !== 'default' && !categories.includes(k));
    expect(unknown).toEqual([]);
  });

  it('list the photo kinds still missing', () => {
    const rule = { before: true, after: true, farM: 100 };
    expect(missingProof(rule, new Set())).toEqual(['before', 'after']);
    expect(missingProof(rule, new Set(['before']))).toEqual(['after']);
    expect(missingProof({ ...rule, before: false }, new Set(['after']))).toEqual([]);
  });
});

describe('resolution flags', () => {
  const rule = { before: false, after: true, farM: 150 };
  const created = new Date('2026-12-01T08:00:00Z');
  it('flag far, old photos and no position, and nothing on the spot', () => {
    expect(resolutionFlags({ rule, distanceM: 149, appealCreatedAt: created, photoTimes: [new Date('2026-12-01T09:00:00Z')] })).toEqual([]);
    expect(resolutionFlags({ rule, distanceM: 151, appealCreatedAt: created, photoTimes: [] })).toEqual(['far']);
    expect(resolutionFlags({ rule, distanceM: null, appealCreatedAt: created, photoTimes: [new Date('2026-12-01T07:59:59Z')] })).toEqual([
      'no_position',
      'photo_before_appeal',
    ]);
  });
});

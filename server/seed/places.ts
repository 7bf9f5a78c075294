/**
 * Where demo appeals happen: points inside the district polygons, spread by population with
 * denser neighbourhoods, plus per-sphere hotspots (a few fixed places where one kind of problem
 * keeps coming back). Coordinates are [lng, lat] in EPSG:4326, distances in metres.
 */
import { booleanPointInPolygon } from '@turf/turf';
import type { MultiPolygon } from 'geojson';
import { type Address, AddressBook, MICRODISTRICTS } from './people.ts';
import type { Rng } from './random.ts';
import { cumulative } from './random.ts';
import { StreetMap } from './street-map.ts';
import type { SeedDistrict } from './types.ts';

const M_PER_DEG_LAT = 111_320;

interface PreparedDistrict {
  district: SeedDistrict;
  bbox: [number, number, number, number];
  /** Neighbourhood centres [lng, lat, sigma m]: people do not live evenly across a district. */
  centres: [number, number, number][];
}

export interface Hotspot {
  lng: number;
  lat: number;
  sigmaM: number;
  weight: number;
  /** The building or corner the complaints name. */
  address: Address;
  /** Activity over the period, 0..1 = start..end of the history: a chronic place, an emerging one, or one fixed midway. */
  activity: (progress: number) => number;
}

export interface Place {
  lng: number;
  lat: number;
  district: SeedDistrict;
}

function bboxOf(poly: MultiPolygon): [number, number, number, number] {
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const ring of poly.coordinates.flat()) {
    for (const [x, y] of ring) {
      if (x < w) w = x;
      if (x > e) e = x;
      if (y < s) s = y;
      if (y > n) n = y;
    }
  }
  return [w, s, e, n];
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export class CityPlaces {
  private readonly prepared: PreparedDistrict[];
  private readonly byPopulation: Float64Array;
  readonly addresses: AddressBook;
  /** The streets and houses the addresses are on (the demo gazetteer). */
  readonly streetMap: StreetMap;

  /** `rng` is a stream used only here and at construction, so the city's layout depends on the seed alone. */
  constructor(rng: Rng, districts: readonly SeedDistrict[]) {
    if (!districts.length) throw new Error('The city has no districts: load a city pack first');
    const sorted = [...districts].sort((a, b) => a.id - b.id);
    const known = sorted.map((d) => d.population).filter((p): p is number => !!p && p > 0);
    const mean = known.length ? known.reduce((a, b) => a + b, 0) / known.length : 1;
    this.prepared = sorted.map((district) => ({ district, bbox: bboxOf(district.polygon), centres: [] }));
    this.byPopulation = cumulative(sorted.map((d) => (d.population && d.population > 0 ? d.population : mean)));
    for (const p of this.prepared) {
      for (let i = 0; i < 5; i++) {
        const [lng, lat] = this.uniformIn(rng, p);
        p.centres.push([lng, lat, rng.range(350, 700)]);
      }
    }
    this.addresses = new AddressBook(
      rng,
      sorted.map((d) => d.code),
    );
    this.streetMap = new StreetMap(sorted, this.addresses);
  }

  /**
   * The address of the house nearest to a point: a street's, or a microdistrict's as often as
   * the address book draws one. The draw is still made, so the random stream is as before.
   */
  addressAt(rng: Rng, lng: number, lat: number, district: SeedDistrict): Address {
    const drawn = this.addresses.address(rng, district.code);
    const micro = MICRODISTRICTS[district.code];
    return this.streetMap.addressNear(lng, lat, district.code, !!micro && drawn.ru.startsWith(micro[0]), drawn);
  }

  /** The district holding a point: the lowest id when it lies on a shared boundary, as in the database. */
  locate(lng: number, lat: number): SeedDistrict | null {
    for (const p of this.prepared) {
      const [w, s, e, n] = p.bbox;
      if (lng < w || lng > e || lat < s || lat > n) continue;
      if (booleanPointInPolygon([lng, lat], p.district.polygon)) return p.district;
    }
    return null;
  }

  /** A uniform point inside the district (rejection sampling in its bounding box), rounded to 6 decimals. */
  private uniformIn(rng: Rng, p: PreparedDistrict): [number, number] {
    const [w, s, e, n] = p.bbox;
    for (let i = 0; i < 10_000; i++) {
      const lng = round6(rng.range(w, e));
      const lat = round6(rng.range(s, n));
      if (this.locate(lng, lat)?.id === p.district.id) return [lng, lat];
    }
    throw new Error(`Could not place a point in district ${p.district.code}: is its polygon empty?`);
  }

  /** A point near [lng, lat] (gaussian, sigma in metres) inside the city, or null after a few misses. */
  near(rng: Rng, lng: number, lat: number, sigmaM: number): Place | null {
    const dLat = sigmaM / M_PER_DEG_LAT;
    const dLng = sigmaM / (M_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180));
    for (let i = 0; i < 12; i++) {
      const x = round6(lng + rng.normal() * dLng);
      const y = round6(lat + rng.normal() * dLat);
      const district = this.locate(x, y);
      if (district) return { lng: x, lat: y, district };
    }
    return null;
  }

  /** A resident's place: a district by population, then 70 % evenly within it, 30 % near one of its neighbourhood centres. */
  populated(rng: Rng): Place {
    const p = this.prepared[rng.fromCumulative(this.byPopulation)];
    if (rng.chance(0.3)) {
      const [lng, lat, sigma] = rng.pick(p.centres);
      const place = this.near(rng, lng, lat, sigma);
      if (place) return place;
    }
    const [lng, lat] = this.uniformIn(rng, p);
    return { lng, lat, district: p.district };
  }

  /** `count` hotspots for one sphere: a populated centre each, with its own spread, weight, address and life. */
  hotspots(rng: Rng, count: number): Hotspot[] {
    return Array.from({ length: count }, (_, i) => {
      const centre = this.populated(rng);
      const kind = i === 0 ? 'chronic' : rng.weighted({ chronic: 0.55, emerging: 0.3, fading: 0.15 });
      const from = rng.range(0.55, 0.85);
      const until = rng.range(0.3, 0.6);
      const activity =
        kind === 'emerging'
          ? (t: number) => (t < from ? 0.1 : 0.1 + (1.9 * (t - from)) / (1 - from))
          : kind === 'fading'
            ? (t: number) => (t < until ? 1.5 : 0.15)
            : () => 1;
      return {
        lng: centre.lng,
        lat: centre.lat,
        sigmaM: rng.range(150, 300),
        weight: i === 0 ? 2 : rng.range(0.6, 1.4),
        address: this.addressAt(rng, centre.lng, centre.lat, centre.district),
        activity,
      };
    });
  }
}

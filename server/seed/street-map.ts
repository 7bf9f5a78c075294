/**
 * The demo city's street layout: in every district its streets (the city's three avenues and
 * the district's own, from the AddressBook) laid out as a grid of straight lines, alternately
 * west–east and south–north, with houses every 50 m on both sides (odd numbers on one side,
 * even on the other), and in microdistricts a block of numbered houses. Demo appeals take the
 * address of the house nearest to their point, and the demo gazetteer is built from the same
 * layout (server/seed/gazetteer.ts), so searching a demo appeal's address finds its place.
 * Synthetic, marked as demo data; coordinates [lng, lat] EPSG:4326, distances in metres.
 */
import { booleanPointInPolygon } from '@turf/turf';
import { type Address, type AddressBook, MICRODISTRICTS, STREETS } from './people.ts';
import type { SeedDistrict } from './types.ts';

const M_PER_DEG_LAT = 111_320;
/** Metres between houses along a street, and from the street's axis to a house. */
const HOUSE_STEP_M = 50;
const HOUSE_OFFSET_M = 12;

export interface DemoStreet {
  /** [Russian form, Kazakh form], e.g. ['пр. Толе би', 'Төле би даңғылы']. */
  names: readonly [string, string];
  districtCode: string;
  line: [number, number][];
}

export interface DemoHouse {
  lng: number;
  lat: number;
  /** The street's or the microdistrict's [Russian, Kazakh] name. */
  names: readonly [string, string];
  micro: boolean;
  number: string;
  districtCode: string;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export class StreetMap {
  readonly streets: DemoStreet[] = [];
  readonly houses: DemoHouse[] = [];
  private readonly byDistrict = new Map<string, { street: DemoHouse[]; micro: DemoHouse[] }>();
  /** The last number given on each street: a street that runs through several districts goes on counting, so an address is unique. */
  private readonly lastNumber = new Map<string, number>();

  constructor(districts: readonly SeedDistrict[], book: AddressBook) {
    for (const d of [...districts].sort((a, b) => a.id - b.id)) this.layDistrict(d, book);
  }

  private layDistrict(d: SeedDistrict, book: AddressBook): void {
    const inside = (lng: number, lat: number) => booleanPointInPolygon([lng, lat], d.polygon);
    let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const [x, y] of d.polygon.coordinates.flat(2)) {
      w = Math.min(w, x);
      e = Math.max(e, x);
      s = Math.min(s, y);
      n = Math.max(n, y);
    }
    const mLng = M_PER_DEG_LAT * Math.cos((((s + n) / 2) * Math.PI) / 180);
    const own = { street: [] as DemoHouse[], micro: [] as DemoHouse[] };
    this.byDistrict.set(d.code, own);
    const streets = book.streetsOf(d.code).map((i) => STREETS[i]);
    const across = Math.ceil(streets.length / 2);
    const up = streets.length - across;
    streets.forEach((names, i) => {
      const ew = i % 2 === 0;
      const k = Math.floor(i / 2);
      // West–east lines at evenly spaced latitudes, south–north lines at evenly spaced longitudes.
      const fixed = ew ? s + ((k + 1) * (n - s)) / (across + 1) : w + ((k + 1) * (e - w)) / (up + 1);
      const [from, to, perM] = ew ? [w, e, mLng] : [s, n, M_PER_DEG_LAT];
      const step = HOUSE_STEP_M / perM;
      const line: [number, number][] = [];
      let number = this.lastNumber.get(names[0]) ?? 0;
      for (let t = from; t <= to; t += step) {
        const [lng, lat] = ew ? [t, fixed] : [fixed, t];
        if (!inside(lng, lat)) continue;
        line.push([round6(lng), round6(lat)]);
        for (const side of [1, -1]) {
          number++;
          const off = (side * HOUSE_OFFSET_M) / (ew ? M_PER_DEG_LAT : mLng);
          const h: DemoHouse = {
            lng: round6(ew ? lng : lng + off),
            lat: round6(ew ? lat + off : lat),
            names,
            micro: false,
            number: String(number),
            districtCode: d.code,
          };
          own.street.push(h);
          this.houses.push(h);
        }
      }
      this.lastNumber.set(names[0], number);
      if (line.length >= 2) this.streets.push({ names, districtCode: d.code, line: [line[0], line[line.length - 1]] });
    });
    const micro = MICRODISTRICTS[d.code];
    if (micro) {
      // A block of 8 × 8 houses 60 m apart around the middle of the district's box.
      let number = 0;
      const cx = (w + e) / 2;
      const cy = (s + n) / 2;
      for (let r = -4; r < 4; r++) {
        for (let c = -4; c < 4; c++) {
          const lng = round6(cx + (c * 60) / mLng);
          const lat = round6(cy + (r * 60) / M_PER_DEG_LAT);
          if (!inside(lng, lat)) continue;
          const h: DemoHouse = { lng, lat, names: micro, micro: true, number: String(++number), districtCode: d.code };
          own.micro.push(h);
          this.houses.push(h);
        }
      }
    }
  }

  /**
   * The address of the house nearest to [lng, lat] in the district, of a microdistrict when
   * `micro` (and the district has one), else on a street; `fallback` when the district has none.
   */
  addressNear(lng: number, lat: number, districtCode: string, micro: boolean, fallback: Address): Address {
    const own = this.byDistrict.get(districtCode);
    const list = own && (micro && own.micro.length ? own.micro : own.street);
    if (!list?.length) return fallback;
    const k = Math.cos((lat * Math.PI) / 180) ** 2;
    let best = list[0];
    let bestD = Infinity;
    for (const h of list) {
      const dd = (h.lng - lng) ** 2 * k + (h.lat - lat) ** 2;
      if (dd < bestD) {
        bestD = dd;
        best = h;
      }
    }
    return { ru: `${best.names[0]}, ${best.number}`, kk: `${best.names[1]}, ${best.number}` };
  }
}

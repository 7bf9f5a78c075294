import { getJson, sendJson, type Names } from '../lib/api.ts';

/** What GET /api/admin/catalogue answers (server/catalogue/queries.ts). */
export type Norm = { hours: number } | { workingDays: number };
export interface CatCategory {
  code: string;
  parent: string | null;
  sphere: string | null;
  depth: number;
  sort: number;
  name: Names;
  icon: string | null;
  color: string | null;
  norm: Norm | null;
  priority: number;
  emergency: boolean;
  service: string | null;
  radiusM: number;
  windowHours: number;
  active: boolean;
  retiredAt: string | null;
  version: number;
  /** 'information': answered on the call with `answer` (required then, refused otherwise) */
  type: 'information' | 'complaint' | null;
  answer: Names | null;
  /** the words callers use for it (the picker's search matches them) */
  synonyms: string[];
  extra: Record<string, unknown>;
}
export interface CatService {
  code: string;
  name: Names;
  kind: string | null;
  phone: string | null;
  email: string | null;
  active: boolean;
  version: number;
}
export interface CatRule {
  id: number;
  category: string;
  district: string | null;
  service: string;
  version: number;
}
export interface CatDay {
  date: string;
  kind: 'holiday' | 'workday';
  name: { kk: string | null; ru: string | null; en: string | null };
}
export interface Catalogue {
  version: number;
  categories: CatCategory[];
  services: CatService[];
  routing: CatRule[];
  holidays: CatDay[];
}
export interface Change {
  id: number;
  at: string;
  login: string | null;
  entity: string;
  code: string;
  action: string;
  before: unknown;
  after: unknown;
  version: number;
}
export interface ImportPlan {
  version: number;
  categories: { added: string[]; changed: string[]; retired: string[]; restored: string[] };
  services: { added: string[]; changed: string[]; deactivated: string[] };
  routing: { added: string[]; changed: string[]; removed: string[] };
  holidays: { added: string[]; changed: string[]; removed: string[] };
}
export interface Preview {
  district: { code: string; name: Names };
  service: { code: string; name: Names; active: boolean } | null;
  rule: { category: string; district: string | null } | null;
}

export const BASE = '/api/admin/catalogue';
export const loadCatalogue = () => getJson<Catalogue>(BASE);
export const send = <T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown) =>
  sendJson<T>(method, `${BASE}${path}`, body);

/** The norm as the form edits it: a number and its unit. */
export const normParts = (n: Norm | null): { unit: 'hours' | 'workingDays'; value: number | null } =>
  !n
    ? { unit: 'workingDays', value: null }
    : 'hours' in n
      ? { unit: 'hours', value: n.hours }
      : { unit: 'workingDays', value: n.workingDays };

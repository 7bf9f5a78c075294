import type pg from 'pg';
import { isOpen, openSql } from '../domain/statuses.ts';
import { redact } from '../privacy/redact.ts';
import { ATTRIBUTES } from './attributes.ts';
import type { Lang } from './format.ts';
import { namesSql } from '../db/sql.ts';
import { serviceNotice } from './service-notice.ts';

/** A category as an Open311 service (leaves and mid-level categories; spheres are groups). */
export interface Open311Service {
  service_code: string;
  service_name: string;
  description: string | null;
  metadata: boolean;
  type: 'realtime';
  keywords: string | null;
  group: string | null;
}

type Names = { kk: string; ru: string; en: string };

export async function listServices(pool: pg.Pool, lang: Lang, code?: string): Promise<Open311Service[]> {
  const { rows } = await pool.query<{ code: string; name: Names; parent: Names | null; sphere: Names | null }>(
    `SELECT c.code, ${namesSql('c')} AS name,
            CASE WHEN p.id IS NULL THEN NULL ELSE ${namesSql('p')} END AS parent,
            CASE WHEN s.id IS NULL THEN NULL ELSE ${namesSql('s')} END AS sphere
       FROM categories c
       LEFT JOIN categories p ON p.id = c.parent_id
       LEFT JOIN categories s ON s.id = c.sphere_id
      WHERE c.active AND c.depth >= 1 AND ($1::text IS NULL OR c.code = $1)
      ORDER BY s.sort, s.code, c.code`,
    [code ?? null],
  );
  return rows.map((r) => ({
    service_code: r.code,
    service_name: r.name[lang],
    description: r.parent ? `${r.parent[lang]}: ${r.name[lang]}` : r.name[lang],
    metadata: Boolean(ATTRIBUTES[r.code]?.length),
    type: 'realtime',
    // The name in the other languages and the parent's, so a search in any of them finds it.
    keywords: [...new Set([r.name.kk, r.name.ru, r.name.en, ...(r.parent ? [r.parent[lang]] : [])])].join(', '),
    group: r.sphere ? r.sphere[lang] : null,
  }));
}

/** What an Open311 request shows: public columns only (never incident_reporters). */
interface RequestRow {
  id: number;
  number: string;
  status: string;
  resolution: string | null;
  category: string;
  category_name: Names;
  service_name: Names | null;
  description: string;
  created_at: Date;
  updated_at: Date;
  due_at: Date;
  address: string | null;
  lat: number;
  lng: number;
  photo_url: string | null;
  channel: string;
  district: string | null;
  type: string;
  parent_id: string | null;
}

const SELECT = `
  SELECT i.id, i.number, i.status, i.resolution, c.code AS category,
         ${namesSql('c')} AS category_name,
         CASE WHEN sv.id IS NULL THEN NULL ELSE ${namesSql('sv')} END AS service_name,
         i.description, i.created_at, i.updated_at, i.due_at, i.address, ST_Y(i.geom) AS lat, ST_X(i.geom) AS lng,
         i.photo_url, i.channel, d.code AS district, i.type, i.parent_id
    FROM incidents i
    JOIN categories c ON c.id = i.category_id
    LEFT JOIN districts d ON d.id = i.district_id
    LEFT JOIN services sv ON sv.id = i.service_id`;

const STATUS_NOTES: Record<string, Names> = {
  new: { kk: 'Тіркелді', ru: 'Зарегистрировано', en: 'Registered' },
  assigned: { kk: 'Қызметке жіберілді', ru: 'Передано исполнителю', en: 'Assigned to a service' },
  in_progress: { kk: 'Орындалуда', ru: 'В работе', en: 'In progress' },
  reopened: { kk: 'Қайта ашылды', ru: 'Открыто повторно', en: 'Reopened' },
  resolved: { kk: 'Орындалды, растау күтілуде', ru: 'Выполнено, ожидает подтверждения', en: 'Resolved, awaiting confirmation' },
  closed: { kk: 'Жабылды', ru: 'Закрыто', en: 'Closed' },
  rejected: { kk: 'Қабылданбады', ru: 'Отклонено', en: 'Rejected' },
};

export interface RequestOptions {
  lang: Lang;
  extensions: boolean;
}

function toRequest(r: RequestRow, o: RequestOptions) {
  const note = STATUS_NOTES[r.status]?.[o.lang] ?? r.status;
  const out: Record<string, unknown> = {
    service_request_id: String(r.id),
    // The one meaning of open (domain/statuses.ts): not final, so a resolved appeal awaiting the citizen is open.
    status: isOpen(r.status) ? 'open' : 'closed',
    status_notes: redact(`${note} (${r.status}${r.resolution ? `: ${r.resolution}` : ''})`),
    service_name: r.category_name[o.lang],
    service_code: r.category,
    description: redact(r.description),
    agency_responsible: r.service_name ? r.service_name[o.lang] : null,
    service_notice: serviceNotice(r.number),
    requested_datetime: r.created_at.toISOString(),
    updated_datetime: r.updated_at.toISOString(),
    expected_datetime: r.due_at.toISOString(),
    address: redact(r.address),
    address_id: null,
    zipcode: null,
    lat: r.lat,
    long: r.lng,
    media_url: r.photo_url,
  };
  if (o.extensions) {
    out.extended_attributes = {
      number: r.number,
      channel: r.channel,
      district: r.district,
      type: r.type,
      duplicate: r.resolution === 'duplicate' || r.parent_id !== null,
      parent: r.parent_id === null ? null : Number(r.parent_id),
    };
  }
  return out;
}

export interface RequestQuery {
  ids?: number[];
  categoryIds?: number[];
  start: Date;
  end: Date;
  status?: ('open' | 'closed')[];
  updatedAfter?: Date;
  updatedBefore?: Date;
  page: number;
  pageSize: number;
}

/** Requests newest first. With `ids`, only those (the other filters do not apply, as the spec says). */
export async function listRequests(pool: pg.Pool, q: RequestQuery, o: RequestOptions) {
  const where: string[] = [];
  const values: unknown[] = [];
  const p = (v: unknown) => `$${values.push(v)}`;
  if (q.ids) {
    where.push(`i.id = ANY(${p(q.ids)}::bigint[])`);
  } else {
    where.push(`i.created_at >= ${p(q.start)}`, `i.created_at <= ${p(q.end)}`);
    if (q.categoryIds) where.push(`i.category_id = ANY(${p(q.categoryIds)}::int[])`);
    if (q.status && q.status.length === 1) {
      where.push(q.status[0] === 'open' ? openSql() : `NOT ${openSql()}`);
    }
    if (q.updatedAfter) where.push(`i.updated_at > ${p(q.updatedAfter)}`);
    if (q.updatedBefore) where.push(`i.updated_at < ${p(q.updatedBefore)}`);
  }
  const sql = `${SELECT} WHERE ${where.join(' AND ')} ORDER BY i.created_at DESC, i.id DESC LIMIT ${p(q.pageSize)} OFFSET ${p(
    (q.page - 1) * q.pageSize,
  )}`;
  const { rows } = await pool.query<RequestRow>(sql, values);
  return rows.map((r) => toRequest(r, o));
}

export async function getRequest(pool: pg.Pool, id: number, o: RequestOptions) {
  const { rows } = await pool.query<RequestRow>(`${SELECT} WHERE i.id = $1`, [id]);
  return rows[0] ? toRequest(rows[0], o) : null;
}

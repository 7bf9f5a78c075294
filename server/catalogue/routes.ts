import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, Deps } from '../context.ts';
import { badRequest } from '../errors.ts';
import { validJson, validParam, validQuery } from '../validate.ts';
import { createCategory, patchCategory } from './categories.ts';
import { deleteHoliday, putHoliday } from './holidays.ts';
import { listChanges, readCatalogue } from './queries.ts';
import { createRule, deleteRule, patchRule, previewRoute } from './routing.ts';
import {
  CategoryPatchSchema,
  ChangesQuery,
  CodeParam,
  HolidayParam,
  HolidaySchema,
  IdParam,
  NewCategorySchema,
  NewRuleSchema,
  NewServiceSchema,
  PreviewSchema,
  RuleDeleteQuery,
  RulePatchSchema,
  ServicePatchSchema,
} from './schemas.ts';
import { createService, patchService } from './services.ts';
import './describe.ts';
import type {
  CalendarDay,
  Catalogue,
  CatalogueCategory,
  CatalogueService,
  ImportPlanAnswer,
  RoutePreview,
  RoutingRule,
} from '../contract/catalogue.ts';
import { applyImport, CatalogueDocument, dryRunImport, exportCatalogue, ImportQuery } from './transfer.ts';

const NoQuery = z.object({}).strict();

/**
 * The city's catalogue in /admin (admin only, server/auth/matrix.ts): categories, services,
 * routing rules and the working calendar, every change versioned and logged, export and import
 * as the pack's JSON. Mounted at /api/admin/catalogue.
 */
export function catalogueRoutes({ pool }: Deps) {
  const editor = (c: { get: (k: 'user') => AppEnv['Variables']['user'] }) => {
    const u = c.get('user')!;
    return { id: u.id, login: u.login };
  };
  return new Hono<AppEnv>()
    .get('/', validQuery(NoQuery), async (c) => c.json((await readCatalogue(pool)) satisfies Catalogue))
    .post('/categories', validJson(NewCategorySchema), async (c) =>
      c.json((await createCategory(pool, editor(c), c.req.valid('json'))) satisfies CatalogueCategory, 201),
    )
    .patch('/categories/:code', validParam(CodeParam), validJson(CategoryPatchSchema), async (c) =>
      c.json((await patchCategory(pool, editor(c), c.req.valid('param').code, c.req.valid('json'))) satisfies CatalogueCategory),
    )
    .post('/services', validJson(NewServiceSchema), async (c) =>
      c.json((await createService(pool, editor(c), c.req.valid('json'))) satisfies CatalogueService, 201),
    )
    .patch('/services/:code', validParam(CodeParam), validJson(ServicePatchSchema), async (c) =>
      c.json((await patchService(pool, editor(c), c.req.valid('param').code, c.req.valid('json'))) satisfies CatalogueService),
    )
    .post('/routing', validJson(NewRuleSchema), async (c) =>
      c.json((await createRule(pool, editor(c), c.req.valid('json'))) satisfies RoutingRule, 201),
    )
    .post('/routing/preview', validJson(PreviewSchema), async (c) => {
      const q = c.req.valid('json');
      return c.json((await previewRoute(pool, q.category, q.lng, q.lat)) satisfies RoutePreview);
    })
    .patch('/routing/:id', validParam(IdParam), validJson(RulePatchSchema), async (c) =>
      c.json((await patchRule(pool, editor(c), c.req.valid('param').id, c.req.valid('json'))) satisfies RoutingRule),
    )
    .delete('/routing/:id', validParam(IdParam), validQuery(RuleDeleteQuery), async (c) => {
      await deleteRule(pool, editor(c), c.req.valid('param').id, c.req.valid('query').version);
      return c.json({ ok: true });
    })
    .put('/holidays/:date', validParam(HolidayParam), validJson(HolidaySchema), async (c) =>
      c.json((await putHoliday(pool, editor(c), c.req.valid('param').date, c.req.valid('json'))) satisfies CalendarDay),
    )
    .delete('/holidays/:date', validParam(HolidayParam), async (c) => {
      await deleteHoliday(pool, editor(c), c.req.valid('param').date);
      return c.json({ ok: true });
    })
    .get('/changes', validQuery(ChangesQuery), async (c) => c.json(await listChanges(pool, c.req.valid('query'))))
    .get('/export', validQuery(NoQuery), async (c) => {
      c.header('Content-Disposition', 'attachment; filename="catalogue.json"');
      return c.json(await exportCatalogue(pool));
    })
    .post('/import', validQuery(ImportQuery), validJson(CatalogueDocument), async (c) => {
      const q = c.req.valid('query');
      const doc = c.req.valid('json');
      if (q.dryRun === 'true') return c.json({ dryRun: true, ...(await dryRunImport(pool, doc)) } satisfies ImportPlanAnswer);
      if (q.version === undefined) {
        throw badRequest('Name the catalogue version the dry run answered (?version=), or ask for a dry run (?dryRun=true).', [
          { path: 'version', message: 'required to apply' },
        ]);
      }
      return c.json({ dryRun: false, ...(await applyImport(pool, editor(c), doc, q.version)) } satisfies ImportPlanAnswer);
    });
}

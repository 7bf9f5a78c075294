import {
  calendarDaySchema,
  catalogueCategorySchema,
  catalogueChangesSchema,
  catalogueDocumentSchema,
  catalogueSchema,
  catalogueServiceSchema,
  importPlanSchema,
  routePreviewSchema,
  routingRuleSchema,
} from '../contract/catalogue.ts';
import { okSchema } from '../contract/platform.ts';
import type { z } from 'zod';
import { describeRoute } from '../openapi/registry.ts';

const json = (description: string, schema: z.ZodType) => ({ description, schema });

/** The words for /api/admin/catalogue in /api/openapi.json (docs/api.md, "The catalogue"). */
const P = '/api/admin/catalogue';
const stale = { '409': 'Stale `version` (someone changed it meanwhile), a taken code, or a retired parent' };
describeRoute('GET', P, {
  summary: 'The catalogue as the admin screen edits it',
  description:
    'Every category (retired ones too, with `active: false`), service, routing rule and calendar day, and the catalogue `version`.',
  responses: { '200': json('The catalogue', catalogueSchema) },
});
describeRoute('POST', `${P}/categories`, {
  summary: 'Add a category (a sphere when `parent` is null)',
  description:
    'Unset settings (norm, priority, service, radius, window) are taken from the parent. The new kind is offered at intake at once. `type: "information"` needs `answer` {kk, ru, en}; an answer on any other kind is refused; `synonyms` are the words callers use.',
  responses: { '201': json('The category', catalogueCategorySchema), '400': 'Invalid body or unknown parent/service', ...stale },
});
describeRoute('PATCH', `${P}/categories/:code`, {
  summary: 'Rename, re-set, move (`parent`), retire (`active: false`) or restore a category',
  description:
    'Names the `version` it read. A retired category (with its subtree) stays on old appeals and in statistics but is not offered at intake. Deadlines already set on appeals are not rewritten. `type`, `answer` and `synonyms` follow the pack check’s rules (an information request carries its answer, no other kind does, nothing goes below it).',
  responses: { '200': json('The category after the change', catalogueCategorySchema), '404': 'No such category', ...stale },
});
describeRoute('POST', `${P}/services`, {
  summary: 'Add a service',
  responses: { '201': json('The service', catalogueServiceSchema), ...stale },
});
describeRoute('PATCH', `${P}/services/:code`, {
  summary: 'Edit a service (names, contacts, active)',
  description: 'A service that active categories or routing rules still send appeals to cannot be made inactive (409).',
  responses: { '200': json('The service', catalogueServiceSchema), '404': 'No such service', ...stale },
});
describeRoute('POST', `${P}/routing`, {
  summary: 'Add a routing rule (category × district → service)',
  responses: { '201': json('The rule', routingRuleSchema), '400': 'Unknown code', '409': 'A rule for this category and district exists' },
});
describeRoute('POST', `${P}/routing/preview`, {
  summary: 'Where an appeal at a sample point would go',
  description:
    'The district as intake finds it and the service from route_service(), the function intake uses; `rule` says which rule decided (null: a default service).',
  responses: { '200': json('`{district, service, rule}`', routePreviewSchema), '422': 'The point is outside every district' },
});
describeRoute('PATCH', `${P}/routing/:id`, {
  summary: 'Change the service of a routing rule',
  responses: { '200': json('The rule', routingRuleSchema), '404': 'No such rule', ...stale },
});
describeRoute('DELETE', `${P}/routing/:id`, {
  summary: 'Remove a routing rule',
  responses: { '200': json('Removed', okSchema), '404': 'No such rule', ...stale },
});
describeRoute('PUT', `${P}/holidays/:date`, {
  summary: 'Set a day of the working calendar (holiday or worked weekend day)',
  responses: { '200': json('The day', calendarDaySchema) },
});
describeRoute('DELETE', `${P}/holidays/:date`, {
  summary: 'Remove a day from the working calendar',
  responses: { '200': json('Removed', okSchema), '404': 'Not in the calendar' },
});
describeRoute('GET', `${P}/changes`, {
  summary: 'The catalogue change log: who, when, what, before and after (newest first)',
  responses: { '200': json('A page of changes; `next` is the `before` of the next page', catalogueChangesSchema) },
});
describeRoute('GET', `${P}/export`, {
  summary: 'The catalogue as the pack JSON (categories with type and answer, services, routing, holidays, synonyms) in one document',
  responses: { '200': json('The document (an attachment, catalogue.json)', catalogueDocumentSchema) },
});
describeRoute('POST', `${P}/import`, {
  summary: 'Import a catalogue document',
  description:
    '`?dryRun=true` checks it fully and answers the differences and the `version` they were computed against; `?version=` applies it in one transaction. Categories missing from it are retired, not deleted.',
  responses: {
    '200': json('The differences (applied or not)', importPlanSchema),
    '400': 'Invalid document (every problem listed)',
    '409': 'The catalogue changed since the dry run',
    '413': 'Larger than 16 MiB',
  },
});

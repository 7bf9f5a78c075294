/** The GeoReport v2 specification discovery points at. */
const SPEC = 'http://wiki.open311.org/GeoReport_v2';
/** When this endpoint's behaviour last changed (ISO 8601, UTC). */
const CHANGESET = '2026-12-03T00:00:00Z';

/** GET /discovery: this one endpoint at `base` (the public URL, server/public-url.ts). */
export function discovery(base: string) {
  return {
    changeset: CHANGESET,
    contact: 'Jardem, the 109 centre of the city',
    key_service: 'API keys are issued by the centre administrator (/api/admin/api-keys).',
    endpoints: [
      {
        specification: SPEC,
        url: `${base}/open311/v2`,
        changeset: CHANGESET,
        type: 'production',
        formats: ['application/json', 'text/xml'],
      },
    ],
  };
}

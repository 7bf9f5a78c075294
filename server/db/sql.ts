/**
 * Small SQL fragments shared by the query modules. Arguments are table aliases written in the
 * code, never input.
 */

/** `{kk, ru, en}` of a row's name_kk, name_ru, name_en (categories, services, districts). */
export const namesSql = (alias: string) => `json_build_object('kk', ${alias}.name_kk, 'ru', ${alias}.name_ru, 'en', ${alias}.name_en)`;

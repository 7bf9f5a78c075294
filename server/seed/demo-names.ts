import type { Role } from '../domain/roles.ts';
import type { CentreFace } from '../meta/centre.ts';

/** Role words of the demo accounts in the interface languages (as the client's role labels). */
const ROLE_WORDS: Record<Role, Record<CentreFace['lang'], string>> = {
  admin: { kk: 'Әкімші', ru: 'Администратор', en: 'Administrator' },
  dispatcher: { kk: 'Диспетчер', ru: 'Диспетчер', en: 'Dispatcher' },
  supervisor: { kk: 'Жетекші', ru: 'Руководитель', en: 'Supervisor' },
  executor: { kk: 'Орындаушы', ru: 'Исполнитель', en: 'Executor' },
  official: { kk: 'Әкімдік', ru: 'Акимат', en: 'City official' },
  display: { kk: 'Бейнеқабырға', ru: 'Видеостена', en: 'Video wall' },
};

/**
 * A demo account's display name from the city pack: the role in the city's language and the
 * centre's name ("Dispatcher · NYC 311", "Диспетчер · Jardem 109").
 */
export function demoUserName(role: Role, face: CentreFace): string {
  return `${ROLE_WORDS[role][face.lang]} · ${face.centre}`;
}

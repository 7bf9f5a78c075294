/**
 * Fictitious reporters (names, +7 mobile numbers, messenger handles) and plausible Taraz
 * addresses for demo appeals. Nothing here is a real person's data.
 */
import type { Rng } from './random.ts';
import type { Channel } from './types.ts';

/** [Russian form, Kazakh form] of streets and avenues of Taraz; the first three cross the city. */
export const STREETS: readonly (readonly [string, string])[] = [
  ['пр. Толе би', 'Төле би даңғылы'],
  ['пр. Абая', 'Абай даңғылы'],
  ['пр. Жамбыла', 'Жамбыл даңғылы'],
  ['ул. Сулейменова', 'Сүлейменов көшесі'],
  ['ул. Койгельды', 'Қойгелді көшесі'],
  ['ул. Айтеке би', 'Әйтеке би көшесі'],
  ['ул. Бауыржана Момышулы', 'Бауыржан Момышұлы көшесі'],
  ['ул. Казыбек би', 'Қазыбек би көшесі'],
  ['ул. Рысбек батыра', 'Рысбек батыр көшесі'],
  ['ул. Ниеткалиева', 'Ниеткалиев көшесі'],
  ['ул. Желтоксан', 'Желтоқсан көшесі'],
  ['ул. Шымкентская', 'Шымкент көшесі'],
  ['ул. Байзак батыра', 'Байзақ батыр көшесі'],
  ['ул. Сыпатай батыра', 'Сыпатай батыр көшесі'],
  ['ул. Мамбет батыра', 'Мәмбет батыр көшесі'],
  ['ул. Карахана', 'Қарахан көшесі'],
  ['ул. Ташкентская', 'Ташкент көшесі'],
  ['ул. Пушкина', 'Пушкин көшесі'],
  ['ул. Ауэзова', 'Әуезов көшесі'],
  ['ул. Жибек жолы', 'Жібек жолы көшесі'],
  ['ул. Байтурсынова', 'Байтұрсынов көшесі'],
  ['ул. Курмангазы', 'Құрманғазы көшесі'],
  ['ул. Ломоносова', 'Ломоносов көшесі'],
  ['ул. Достык', 'Достық көшесі'],
  ['ул. Тауке хана', 'Тәуке хан көшесі'],
  ['ул. Рыскулова', 'Рысқұлов көшесі'],
  ['ул. Бектурова', 'Бектұров көшесі'],
  ['ул. Абылай хана', 'Абылай хан көшесі'],
  ['ул. Кошек батыра', 'Көшек батыр көшесі'],
  ['ул. Бокейхана', 'Бөкейхан көшесі'],
];

/** Districts of the Taraz pack that are known as microdistricts or housing estates. */
export const MICRODISTRICTS: Readonly<Record<string, readonly [string, string]>> = {
  samal: ['мкр. Самал', 'Самал шағын ауданы'],
  karasu: ['мкр. Карасу', 'Қарасу шағын ауданы'],
  akbulym: ['мкр. Акбулым', 'Ақбұлым шағын ауданы'],
  mynbulak: ['мкр. Мынбулак', 'Мыңбұлақ шағын ауданы'],
  zhailau: ['мкр. Жайлау', 'Жайлау шағын ауданы'],
  saltanat: ['мкр. Салтанат', 'Салтанат шағын ауданы'],
  talas: ['мкр. Талас', 'Талас шағын ауданы'],
  asa: ['ж/м Аса', 'Аса тұрғын алабы'],
  kumshagal: ['ж/м Кумшагал', 'Құмшағал тұрғын алабы'],
};

/** A place's address, in both languages (the description's language picks one). */
export interface Address {
  ru: string;
  kk: string;
}

/** Streets of one district: each district has its own few, plus the avenues that cross the city. */
export class AddressBook {
  private readonly streets = new Map<string, number[]>();

  constructor(rng: Rng, districtCodes: readonly string[]) {
    for (const code of districtCodes) {
      const own = new Set<number>();
      while (own.size < 8) own.add(rng.int(3, STREETS.length - 1));
      this.streets.set(code, [...own]);
    }
  }

  /** The streets of a district (indexes into STREETS): the city's avenues first, then its own. */
  streetsOf(districtCode: string): number[] {
    return [0, 1, 2, ...(this.streets.get(districtCode) ?? []).filter((i) => i > 2)];
  }

  address(rng: Rng, districtCode: string): Address {
    const house = `${rng.int(1, 180)}${rng.chance(0.06) ? rng.pick(['А', 'Б', 'В']) : ''}`;
    const micro = MICRODISTRICTS[districtCode];
    if (micro && rng.chance(0.4)) return { ru: `${micro[0]}, ${house}`, kk: `${micro[1]}, ${house}` };
    const own = this.streets.get(districtCode);
    const street = STREETS[!own || rng.chance(0.2) ? rng.int(0, 2) : rng.pick(own)];
    return { ru: `${street[0]}, ${house}`, kk: `${street[1]}, ${house}` };
  }
}

const KZ_MALE = [
  'Нурлан',
  'Ерлан',
  'Асхат',
  'Бауыржан',
  'Данияр',
  'Ержан',
  'Канат',
  'Марат',
  'Серик',
  'Талгат',
  'Айдос',
  'Арман',
  'Бекзат',
  'Жандос',
  'Мурат',
  'Руслан',
  'Санжар',
  'Тимур',
  'Азамат',
  'Ерболат',
  'Болат',
  'Даурен',
  'Кайрат',
  'Нуржан',
];
const KZ_FEMALE = [
  'Айгерим',
  'Гульнара',
  'Динара',
  'Жанар',
  'Сауле',
  'Айгуль',
  'Асель',
  'Мадина',
  'Алия',
  'Гульмира',
  'Зарина',
  'Назерке',
  'Карлыгаш',
  'Ботагоз',
  'Жулдыз',
  'Меруерт',
  'Салтанат',
  'Роза',
  'Акмарал',
  'Дана',
];
const KZ_SURNAMES = [
  'Абдрахманов',
  'Ахметов',
  'Байжанов',
  'Джумабаев',
  'Ермеков',
  'Жаксылыков',
  'Искаков',
  'Калиев',
  'Касымов',
  'Мукашев',
  'Нуржанов',
  'Оспанов',
  'Сарсенбаев',
  'Тулегенов',
  'Утегенов',
  'Есенов',
  'Турсунбаев',
  'Бекмуратов',
  'Сыздыков',
  'Омаров',
  'Жунусов',
  'Сагындыков',
  'Темирбеков',
  'Кенжебаев',
];
const RU_MALE = ['Александр', 'Сергей', 'Андрей', 'Дмитрий', 'Владимир', 'Николай', 'Игорь', 'Евгений', 'Виктор', 'Павел', 'Олег'];
const RU_FEMALE = ['Ольга', 'Татьяна', 'Елена', 'Наталья', 'Ирина', 'Светлана', 'Людмила', 'Галина', 'Анна', 'Марина'];
const RU_SURNAMES = ['Иванов', 'Ковалёв', 'Попов', 'Смирнов', 'Кузнецов', 'Васильев', 'Никитин', 'Морозов', 'Волков', 'Захаров', 'Фёдоров'];
const RU_INVARIANT = ['Ким', 'Шевченко', 'Петренко', 'Цой', 'Бондаренко'];
const OTHER_MALE: readonly (readonly [string, string])[] = [
  ['Рустам', 'Юсупов'],
  ['Фарход', 'Рахимов'],
  ['Ильяс', 'Мамедов'],
  ['Анвар', 'Ибрагимов'],
  ['Махмуд', 'Сулейманов'],
];
const OTHER_FEMALE: readonly (readonly [string, string])[] = [
  ['Дильноза', 'Юсупова'],
  ['Гульчехра', 'Рахимова'],
  ['Лейла', 'Мамедова'],
  ['Зульфия', 'Ибрагимова'],
];

const feminine = (surname: string) => (/(ов|ев|ёв|ин)$/.test(surname) ? `${surname}а` : surname);

export interface Reporter {
  name: string;
  phone: string | null;
  contact: string | null;
  /** Kazakh-speaking reporters write or speak Kazakh more often. */
  kazakh: boolean;
}

const LATIN: Record<string, string> = {
  а: 'a',
  ә: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  ғ: 'g',
  д: 'd',
  е: 'e',
  ё: 'e',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'i',
  к: 'k',
  қ: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  ң: 'n',
  о: 'o',
  ө: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ұ: 'u',
  ү: 'u',
  ф: 'f',
  х: 'kh',
  һ: 'h',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'sh',
  ъ: '',
  ы: 'y',
  і: 'i',
  ь: '',
  э: 'e',
  ю: 'yu',
  я: 'ya',
};
const latin = (s: string) => [...s.toLowerCase()].map((c) => LATIN[c] ?? '').join('');

export function mobilePhone(rng: Rng): string {
  const prefix = rng.chance(0.85) ? `70${rng.pick([0, 1, 2, 5, 7, 8])}` : rng.pick(['747', '771', '775', '776', '777', '778']);
  const d = () => String(rng.int(0, 99)).padStart(2, '0');
  return `+7 ${prefix} ${rng.int(200, 999)} ${d()} ${d()}`;
}

export function makeReporter(rng: Rng, channel: Channel): Reporter {
  const female = rng.chance(0.56); // women call the 109 line somewhat more often
  const origin = rng.float();
  let first: string;
  let last: string;
  let kazakh = false;
  if (origin < 0.68) {
    first = rng.pick(female ? KZ_FEMALE : KZ_MALE);
    last = rng.pick(KZ_SURNAMES);
    kazakh = true;
  } else if (origin < 0.9) {
    first = rng.pick(female ? RU_FEMALE : RU_MALE);
    last = rng.chance(0.25) ? rng.pick(RU_INVARIANT) : rng.pick(RU_SURNAMES);
  } else {
    [first, last] = rng.pick(female ? OTHER_FEMALE : OTHER_MALE);
  }
  if (female) last = feminine(last);
  // Some callers give only a first name.
  const name = rng.chance(0.12) ? first : `${last} ${first}`;
  let phone: string | null = mobilePhone(rng);
  if (channel === 'phone' && rng.chance(0.08))
    phone = `+7 7262 ${rng.int(40, 59)} ${String(rng.int(0, 99)).padStart(2, '0')} ${String(rng.int(0, 99)).padStart(2, '0')}`;
  let contact: string | null = null;
  if (channel === 'telegram') contact = `@${latin(first)}${rng.chance(0.5) ? `_${latin(last)}` : ''}${rng.int(1, 99)}`;
  else if (channel === 'facebook') {
    contact = `facebook: ${latin(first)}.${latin(last)}`;
    if (rng.chance(0.5)) phone = null;
  } else if (channel === 'walk_in' && rng.chance(0.3)) phone = null;
  return { name, phone, contact, kazakh };
}

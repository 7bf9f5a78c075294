/**
 * npm run geodata:check -- [<pack> ...]
 *
 * Reads and checks city packs without a database: a pack is a folder name under geodata/
 * ("taraz") or a path to a pack folder. Default: JARDEM_CITY, else taraz. Prints every problem
 * of a pack; exits 1 when a pack has any.
 */
import { PackError } from './pack-error.ts';
import { readCityPack } from './pack-read.ts';

const packs = process.argv.slice(2).filter((a) => a !== '--');
let failed = false;
for (const name of packs.length ? packs : [process.env.JARDEM_CITY || 'taraz']) {
  try {
    const p = await readCityPack(name);
    console.log(
      `${p.dir}: ok (${p.districts.features.length} districts, ${p.services.length} services, ${p.categories.length} spheres, ` +
        `${p.routing.length} routing rules, ${p.holidays.length} calendar days, time zone ${p.city.timeZone ?? p.city.utcOffset})`,
    );
  } catch (err) {
    failed = true;
    console.error(err instanceof PackError ? err.message : `${name}: ${(err as Error).message}`);
  }
}
process.exitCode = failed ? 1 : 0;

/**
 * npm run user:create -- --login NAME --role admin [--name "Full Name"] [--district CODE ...]
 *   [--service CODE] [--replace]
 * The password is read from JARDEM_NEW_PASSWORD or asked for on the terminal (never an argument,
 * so it stays out of shell history). Outside demo mode this is how the first admin is made.
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { ROLES, type Role } from '../domain/roles.ts';
import { migrate } from '../db/migrate.ts';
import { openDatabase } from '../db/pool.ts';
import { upsertUser } from '../users.ts';

const { values } = parseArgs({
  options: {
    login: { type: 'string' },
    role: { type: 'string' },
    name: { type: 'string' },
    district: { type: 'string', multiple: true, default: [] },
    service: { type: 'string' },
    replace: { type: 'boolean', default: false },
  },
});

if (!values.login || !values.role || !ROLES.includes(values.role as Role)) {
  console.error(
    `Usage: npm run user:create -- --login NAME --role (${ROLES.join('|')}) [--name "Full Name"] [--district CODE] [--service CODE] [--replace]`,
  );
  process.exit(2);
}

let password = process.env.JARDEM_NEW_PASSWORD ?? '';
if (!password) {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  password = await rl.question('Password (at least 10 characters): ');
  rl.close();
}
if (password.length < 10) {
  console.error('The password must have at least 10 characters.');
  process.exit(2);
}

const db = await openDatabase(loadConfig());
try {
  await migrate(db.pool);
  const id = await upsertUser(
    db.pool,
    {
      login: values.login,
      name: values.name ?? values.login,
      role: values.role as Role,
      password,
      districtCodes: values.district,
      serviceCode: values.service,
    },
    values.replace,
  );
  console.log(`User ${values.login} (${values.role}) saved with id ${id}.`);
} catch (err) {
  console.error(`Could not create the user: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.close();
}

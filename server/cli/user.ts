/**
 * npm run user -- <command> <login>
 *   disable <login>   disable the account and end its sessions
 *   enable <login>    enable it again
 *   reset <login>     set a new password (JARDEM_NEW_PASSWORD or asked for), end its sessions, lift a lockout
 *   logout <login>    end every session of the account
 *   unlock <login>    lift a sign-in lockout
 *   list              every account with role, scope and state
 * (Creating users: npm run user:create.) The password is never an argument, so it stays out
 * of shell history.
 */
import { createInterface } from 'node:readline/promises';
import { listUsers, Password, resetPassword, updateUser } from '../admin/users.ts';
import { deleteUserSessions } from '../auth/sessions.ts';
import { liftSignInLocks } from '../auth/throttle.ts';
import { loadConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { openDatabase } from '../db/pool.ts';

const USAGE = 'Usage: npm run user -- (disable|enable|reset|logout|unlock) <login>  |  npm run user -- list';
const [command, login] = process.argv.slice(2);
if (!command || (command !== 'list' && !login) || !['disable', 'enable', 'reset', 'logout', 'unlock', 'list'].includes(command)) {
  console.error(USAGE);
  process.exit(2);
}

let password = '';
if (command === 'reset') {
  password = process.env.JARDEM_NEW_PASSWORD ?? '';
  if (!password) {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    password = await rl.question('New password (at least 10 characters): ');
    rl.close();
  }
  const ok = Password.safeParse(password);
  if (!ok.success) {
    console.error('The password must have 10 to 200 characters.');
    process.exit(2);
  }
}

const db = await openDatabase(loadConfig());
try {
  await migrate(db.pool);
  if (command === 'list') {
    for (const u of await listUsers(db.pool)) {
      const scope = u.role === 'supervisor' ? ` districts=${u.districts.join(',')}` : u.role === 'executor' ? ` service=${u.service}` : '';
      console.log(
        `${u.login}\t${u.role}${scope}${u.disabled ? '\tDISABLED' : ''}${u.locked_until ? '\tLOCKED' : ''}\tsessions=${u.sessions}`,
      );
    }
  } else {
    const { rows } = await db.pool.query<{ id: number; login: string }>('SELECT id, login FROM users WHERE lower(login) = lower($1)', [
      login,
    ]);
    const user = rows[0];
    if (!user) throw new Error(`no user "${login}"`);
    if (command === 'disable' || command === 'enable') {
      await updateUser(db.pool, user.id, { disabled: command === 'disable' });
      console.log(`User ${user.login} ${command}d${command === 'disable' ? '; its sessions have ended' : ''}.`);
    } else if (command === 'reset') {
      await resetPassword(db.pool, user.id, password);
      console.log(`New password set for ${user.login}; its sessions have ended.`);
    } else if (command === 'logout') {
      console.log(`Ended ${await deleteUserSessions(db.pool, user.id)} session(s) of ${user.login}.`);
    } else {
      await liftSignInLocks(db.pool, { login: user.login });
      console.log(`Sign-in lockout of ${user.login} lifted.`);
    }
  }
} catch (err) {
  console.error(`Could not ${command}: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.close();
}

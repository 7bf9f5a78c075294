/**
 * The attack mix of `npm run bench:mixed -- --attack` (issue 15), run in a process of its own so
 * that its work does not slow down the client that measures the normal load:
 *
 *   tsx test/bench/attack.ts --port 18789 --duration 90 [--sse 3000 --flood 8 --signin 8 --slow 200]
 *
 * Everything is anonymous and comes from many loopback addresses (127.0.1.1 … 127.0.1.<addresses>,
 * all of 127/8 reaches a server bound to 127.0.0.1), as a botnet would, so that per-address limits
 * see no single offender:
 *
 * - flood: distinct query strings on cached GETs — `/api/hotspots?x=N` (finding 1; 4 in 9), and
 *   `/api/stats/summary`, `/api/districts`, `/api/stats/timeseries`, `/api/hotspots/clusters`
 *   with an ignored `x=N`, and `/api/map/clusters` with a valid bbox moved a little each time;
 * - sign-in: wrong passwords, half for ever new logins, half for one real login (`official`);
 * - sse: `sse` anonymous streams on /api/live, opened over the first ten seconds and held (a
 *   stream the server ends is opened again after 2 s);
 * - slow: `slow` connections that never finish — half send a header line every 5 s, half a
 *   login body of 10,000 announced bytes one byte every 5 s (slowloris).
 *
 * It prints one line `ATTACK-REPORT <json>` at the end: per kind the requests, statuses (0 =
 * no answer; socket error codes apart), latency and bytes; for the streams and the slow
 * connections how many were held to the end and how many the server cut, and when.
 */
import http from 'node:http';
import net from 'node:net';
import { parseArgs } from 'node:util';

export interface KindReport {
  requests: number;
  status: Record<string, number>;
  socketErrors: Record<string, number>;
  p50: number;
  p95: number;
  bytes: number;
}

export interface AttackReport {
  seconds: number;
  addresses: number;
  kinds: Record<string, KindReport>;
  sse: {
    wanted: number;
    opened: number;
    peakOpen: number;
    openAtEnd: number;
    refused: Record<string, number>;
    cut: number;
    events: number;
  };
  slow: { kind: string; sockets: number; heldToEnd: number; cut: number; cutAfterS: number[]; answers: Record<string, number> }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (ms: number[], p: number) => {
  if (!ms.length) return 0;
  const s = [...ms].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))];
};

export async function runAttack(o: {
  port: number;
  seconds: number;
  sse: number;
  flood: number;
  signin: number;
  slow: number;
  addresses: number;
}): Promise<AttackReport> {
  const end = Date.now() + o.seconds * 1000;
  const addresses = Array.from({ length: o.addresses }, (_, i) => `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`);
  // A connection per request, as a botnet's scripts open them (and no idle keep-alive races).
  const agents = addresses.map((localAddress) => new http.Agent({ keepAlive: false, localAddress } as http.AgentOptions));
  let turn = 0;
  const nextAgent = () => agents[turn++ % agents.length];

  type Tally = { ms: number[]; status: Map<string, number>; errors: Map<string, number>; bytes: number };
  const tallies = new Map<string, Tally>();
  const count = (kind: string, status: string, ms: number, bytes: number, error?: string) => {
    const t: Tally = tallies.get(kind) ?? { ms: [], status: new Map(), errors: new Map(), bytes: 0 };
    tallies.set(kind, t);
    t.ms.push(ms);
    t.bytes += bytes;
    t.status.set(status, (t.status.get(status) ?? 0) + 1);
    if (error) t.errors.set(error, (t.errors.get(error) ?? 0) + 1);
  };

  /** One request; never throws. Resolves with the status (0 = no answer). */
  const request = (kind: string, method: string, path: string, body?: string) =>
    new Promise<number>((done) => {
      const t = performance.now();
      const req = http.request(
        {
          host: '127.0.0.1',
          port: o.port,
          method,
          path,
          agent: nextAgent(),
          headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {},
          timeout: 60_000,
        },
        (res) => {
          let bytes = 0;
          res.on('data', (c: Buffer) => (bytes += c.length));
          res.on('end', () => {
            count(kind, String(res.statusCode), performance.now() - t, bytes);
            done(res.statusCode ?? 0);
          });
          res.on('error', () => {
            count(kind, '0', performance.now() - t, bytes, 'ECONNRESET');
            done(0);
          });
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
      req.on('error', (err: NodeJS.ErrnoException) => {
        count(kind, '0', performance.now() - t, 0, err.code ?? err.message);
        done(0);
      });
      req.end(body);
    });
  /** After a refused connection, wait a little instead of spinning. */
  const pause = (status: number) => (status === 0 ? sleep(250) : undefined);

  let n = 0;
  const floodPaths = [
    (i: number) => ['flood /api/hotspots?x=N', `/api/hotspots?x=${i}`],
    (i: number) => ['flood /api/hotspots?x=N', `/api/hotspots?x=${i}`],
    // The same flood with parameters the route accepts: every answer distinct and computed.
    (i: number) => ['flood /api/hotspots?cell=N (valid)', `/api/hotspots?cell=${400 + (i % 4600)}`],
    (i: number) => ['flood /api/hotspots?cell=N (valid)', `/api/hotspots?cell=${400 + ((i * 7) % 4600)}`],
    (i: number) => ['flood other cached GETs', `/api/stats/summary?x=${i}`],
    (i: number) => ['flood other cached GETs (valid q)', `/api/districts?q=flood${i}`],
    (i: number) => ['flood other cached GETs (valid q)', `/api/stats/timeseries?q=flood${i}`],
    (i: number) => ['flood other cached GETs', `/api/hotspots/clusters?x=${i}`],
    (i: number) => {
      const dx = (i % 997) * 0.0001;
      const dy = (Math.floor(i / 997) % 997) * 0.0001;
      return [
        'flood other cached GETs',
        `/api/map/clusters?z=12&bbox=${(71.2 + dx).toFixed(4)},${(42.8 + dy).toFixed(4)},${(71.5 + dx).toFixed(4)},${(43.0 + dy).toFixed(4)}`,
      ];
    },
  ];
  async function flooder() {
    while (Date.now() < end) {
      const i = n++;
      const [kind, path] = floodPaths[i % floodPaths.length](i);
      await pause(await request(kind, 'GET', path));
    }
  }

  let m = 0;
  async function signer(w: number) {
    while (Date.now() < end) {
      const i = m++;
      const one = w % 2 === 0;
      const kind = one ? 'sign-in flood, one login' : 'sign-in flood, many logins';
      const body = JSON.stringify({ login: one ? 'official' : `nobody-${i}`, password: `wrong-${i}` });
      await pause(await request(kind, 'POST', '/api/auth/login', body));
    }
  }

  // Anonymous live streams.
  const sse = { wanted: o.sse, opened: 0, peakOpen: 0, openAtEnd: 0, refused: {} as Record<string, number>, cut: 0, events: 0 };
  const open = new Set<http.ClientRequest>();
  let live = 0;
  const refuse = (why: string) => (sse.refused[why] = (sse.refused[why] ?? 0) + 1);
  function stream(k: number) {
    if (Date.now() >= end) return;
    const req = http.get({
      host: '127.0.0.1',
      port: o.port,
      path: '/api/live',
      localAddress: addresses[k % addresses.length],
      agent: false,
      headers: { accept: 'text/event-stream' },
    });
    open.add(req);
    let counted = false;
    let ended = false;
    const closed = () => {
      if (ended) return;
      ended = true;
      open.delete(req);
      if (counted) live--;
      counted = false;
      if (Date.now() < end) setTimeout(() => stream(k), 2000);
    };
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        refuse(String(res.statusCode));
        res.resume();
        res.on('end', closed);
        return;
      }
      sse.opened++;
      counted = true;
      live++;
      sse.peakOpen = Math.max(sse.peakOpen, live);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (sse.events += chunk.split('event: ').length - 1));
      res.on('close', () => {
        if (Date.now() < end) sse.cut++;
        closed();
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (!counted) refuse(err.code ?? err.message);
      closed();
    });
  }
  const opening = (async () => {
    for (let k = 0; k < o.sse && Date.now() < end; k++) {
      stream(k);
      if (k % 30 === 29) await sleep(100); // 300 a second
    }
  })();

  // Slow connections.
  const slowKinds = [
    {
      kind: 'slow headers (GET, a header line every 5 s)',
      first: 'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n',
      drip: (i: number) => `X-Slow-${i}: a\r\n`,
    },
    {
      kind: 'slow body (login, 1 byte every 5 s)',
      first: 'POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n',
      drip: () => ' ',
    },
  ];
  const slow = slowKinds.map((s) => ({
    kind: s.kind,
    sockets: 0,
    heldToEnd: 0,
    cut: 0,
    cutAfterS: [] as number[],
    answers: {} as Record<string, number>,
  }));
  const sockets: net.Socket[] = [];
  for (let k = 0; k < o.slow; k++) {
    const which = k % 2;
    const r = slow[which];
    const t0 = Date.now();
    const socket = net.connect({ host: '127.0.0.1', port: o.port, localAddress: addresses[(k * 7) % addresses.length] });
    sockets.push(socket);
    r.sockets++;
    let drips = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      socket.write(slowKinds[which].first);
      timer = setInterval(() => socket.write(slowKinds[which].drip(drips++)), 5000);
    });
    socket.on('data', (d: Buffer) => {
      const line = /^HTTP\/1\.1 (\d+)/.exec(d.toString('latin1'));
      if (line) r.answers[line[1]] = (r.answers[line[1]] ?? 0) + 1;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      if (Date.now() < end) {
        r.cut++;
        r.cutAfterS.push(Math.round((Date.now() - t0) / 1000));
      }
    });
  }

  await Promise.all([
    opening,
    ...Array.from({ length: o.flood }, () => flooder()),
    ...Array.from({ length: o.signin }, (_, w) => signer(w)),
    sleep(Math.max(0, end - Date.now())),
  ]);
  sse.openAtEnd = live;
  for (const s of sockets) {
    if (!s.destroyed) slow[sockets.indexOf(s) % 2].heldToEnd++;
    s.destroy();
  }
  for (const r of open) r.destroy();
  for (const a of agents) a.destroy();

  const kinds: Record<string, KindReport> = {};
  for (const [kind, t] of [...tallies].sort()) {
    kinds[kind] = {
      requests: t.ms.length,
      status: Object.fromEntries(t.status),
      socketErrors: Object.fromEntries(t.errors),
      p50: pct(t.ms, 50),
      p95: pct(t.ms, 95),
      bytes: t.bytes,
    };
  }
  return { seconds: o.seconds, addresses: o.addresses, kinds, sse, slow };
}

if (process.argv[1]?.endsWith('attack.ts')) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '18789' },
      duration: { type: 'string', default: '90' },
      sse: { type: 'string', default: '3000' },
      flood: { type: 'string', default: '8' },
      signin: { type: 'string', default: '8' },
      slow: { type: 'string', default: '200' },
      addresses: { type: 'string', default: '64' },
    },
  });
  const report = await runAttack({
    port: Number(values.port),
    seconds: Number(values.duration),
    sse: Number(values.sse),
    flood: Number(values.flood),
    signin: Number(values.signin),
    slow: Number(values.slow),
    addresses: Number(values.addresses),
  });
  console.log(`ATTACK-REPORT ${JSON.stringify(report)}`);
  process.exit(0);
}

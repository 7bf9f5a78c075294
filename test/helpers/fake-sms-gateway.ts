import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GatewayCall {
  headers: IncomingMessage['headers'];
  body: any;
}

/**
 * A provider's HTTP SMS gateway, faked (the only faked part of the outbox tests): a real HTTP
 * server on a loopback port that records each POST and answers 200 with an id, or the statuses
 * queued with `answer()` first.
 */
export async function startFakeSmsGateway() {
  const calls: GatewayCall[] = [];
  const queued: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') });
      const status = queued.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 200 ? { id: `gw-${calls.length}` } : { error: 'refused' }));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms/send`,
    calls,
    /** The next answers' statuses, in order (then 200 again). */
    answer: (...statuses: number[]) => void queued.push(...statuses),
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

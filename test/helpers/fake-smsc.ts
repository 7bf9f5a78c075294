import type { AddressInfo } from 'node:net';
import smpp, { type PDU, type Session } from 'smpp';

/** A submit_sm the SMSC received, decoded by the library, and when. */
export interface Submitted {
  pdu: PDU;
  text: string;
  udh: Buffer | null;
  at: number;
}

/**
 * An operator's SMS centre for the tests: the `smpp` library's own server side on a loopback
 * port. It binds transceivers, answers submit_sm with a message id (or ESME_RTHROTTLED while
 * asked to), sends a delivery receipt for each accepted part, and can drop the link.
 */
export async function startFakeSmsc() {
  const submitted: Submitted[] = [];
  const sessions: Session[] = [];
  const state = {
    binds: 0,
    throttle: 0,
    receipt: 'DELIVRD' as 'DELIVRD' | 'UNDELIV' | null,
    ids: 0,
    /** How long each submit_sm waits for its answer (ms), and the most ever waiting at once. */
    delayMs: 0,
    waiting: 0,
    mostWaiting: 0,
  };
  const server = smpp.createServer((s) => {
    sessions.push(s);
    s.on('error', () => undefined);
    s.on('bind_transceiver', (pdu) => {
      if (pdu.system_id !== 'jardem' || pdu.password !== 'secret') {
        s.send(pdu.response({ command_status: smpp.ESME_RBINDFAIL }));
        return s.close();
      }
      state.binds++;
      s.send(pdu.response({ system_id: 'FAKESMSC' }));
    });
    s.on('enquire_link', (pdu) => s.send(pdu.response()));
    s.on('unbind', (pdu) => {
      s.send(pdu.response());
      s.close();
    });
    s.on('submit_sm', (pdu) => {
      const sm = pdu.short_message as { udh?: Buffer[]; message: string | Buffer };
      submitted.push({ pdu, text: String(sm.message), udh: sm.udh?.[0] ?? null, at: Date.now() });
      if (state.throttle > 0) {
        state.throttle--;
        return s.send(pdu.response({ command_status: smpp.ESME_RTHROTTLED }));
      }
      const id = `SMSC${++state.ids}`;
      state.mostWaiting = Math.max(state.mostWaiting, ++state.waiting);
      setTimeout(() => {
        state.waiting--;
        s.send(pdu.response({ message_id: id }));
        receipt(s, pdu, id);
      }, state.delayMs);
    });
  });
  function receipt(s: Session, pdu: PDU, id: string) {
    const stat = state.receipt;
    if (!stat) return;
    s.deliver_sm({
      source_addr: pdu.destination_addr,
      destination_addr: pdu.source_addr,
      esm_class: 0x04,
      short_message: `id:${id} sub:001 dlvrd:00${stat === 'DELIVRD' ? 1 : 0} submit date:2612031030 done date:2612031031 stat:${stat} err:000 text:`,
    });
  }
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `smpp://127.0.0.1:${(server.address() as AddressInfo).port}`,
    submitted,
    state,
    /** Drops every open link, as an SMSC restarting does. */
    dropLinks: () => {
      for (const s of sessions.splice(0)) s.destroy();
    },
    close: () =>
      new Promise<void>((done) => {
        for (const s of sessions.splice(0)) s.destroy();
        server.close(() => done());
      }),
  };
}

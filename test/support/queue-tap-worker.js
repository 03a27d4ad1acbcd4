// A real worker consuming the queues a test project sends to but does not consume itself (the bus,
// dead-letter queues, subscriber queues), reporting what arrived where: GET / -> { [queue]: body[] }.
const received = {};
export default {
  async queue(batch) {
    for (const message of batch.messages) (received[batch.queue] ??= []).push(message.body);
    batch.ackAll();
  },
  async fetch() {
    return Response.json(received);
  },
};

// A real worker that consumes the router's output queues in the router's tests and reports what
// arrived where (GET / -> { [queue]: body[] }). It stands in for the subscribers, not for any binding.
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

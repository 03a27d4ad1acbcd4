import { Bench } from "tinybench";
import { createEvent, readEvent } from "../shared/events/envelope";
import { registry } from "../shared/events/registry";
import { startTrace } from "../shared/events/trace";

/**
 * `npm run bench`: every event is built once by its producer and read (validated against the
 * registry) by the router and by each consumer, so these are the per-event costs of the envelope and
 * the anti-corruption layer. Not part of `npm test`: speed is measured here, never asserted.
 */
const type = "com.plantbasedpizza.order.confirmed.v2";
const cause = { traceparent: startTrace(), causationid: "bench", subject: registry[type].example.orderId };
const wire = JSON.parse(JSON.stringify(createEvent(type, registry[type].example, cause))) as unknown;
const broken = { ...(wire as object), data: { orderId: "nope" } };

const bench = new Bench({ time: 1000 });
bench
  .add(
    "createEvent (order confirmed, state transfer)",
    () => void createEvent(type, registry[type].example, cause),
  )
  .add("readEvent of a valid event", () => void readEvent(wire))
  .add("readEvent of an invalid event (the dead-letter path)", () => void readEvent(broken));
await bench.run();
console.table(bench.table());

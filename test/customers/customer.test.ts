import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Customer } from "../../durable-objects/customers/customer";
import { startTrace } from "../../shared/events/trace";
import { eventsAbout, publishedEvents, publishedSettled } from "../support/queue-tap";

/** The Customer object: an address and the event announcing it, committed together and then published. */
const customers = env.CUSTOMERS;

describe("a customer's addresses", () => {
  it("announces a new address with the whole address, the request's trace and the command as cause", async () => {
    const wren = `wren-${crypto.randomUUID()}`;
    const stub = customers.getByName(wren);
    const traceparent = startTrace();
    const command = {
      customerId: wren,
      addressId: "address-wren-1",
      line1: "3 Thyme Court",
      line2: "Top floor",
      city: "York",
      postcode: "YO1 7HH",
      country: "GB",
      commandId: "add-address:test-1",
      traceparent,
    };
    const address = await stub.addAddress(command);
    const [added] = await publishedEvents((e) => e.subject === wren, 1);
    expect(added).toMatchObject({
      type: "com.plantbasedpizza.customer.address-added.v1",
      source: "/contexts/customers",
      subject: wren,
      traceparent,
      causationid: "add-address:test-1",
      data: {
        customerId: wren,
        addressId: "address-wren-1",
        line1: "3 Thyme Court",
        line2: "Top floor",
        city: "York",
        postcode: "YO1 7HH",
        country: "GB",
        addedAt: address.addedAt,
      },
    });
    // One event for one address: once the queues have accepted all the object's events, a marker sent
    // to every bus shard after them arrives after them.
    await runDurableObjectAlarm(stub);
    expect(await stub.unpublishedEvents()).toBe(0);
    await publishedSettled();
    expect(await eventsAbout(wren)).toHaveLength(1);
    expect((await stub.addresses()).map((a) => a.addressId)).toEqual(["address-wren-1"]);
  });

  it("leaves out a second line the customer did not give", async () => {
    const xan = `xan-${crypto.randomUUID()}`;
    const stub = customers.getByName(xan);
    await stub.addAddress({
      customerId: xan,
      addressId: "address-xan-1",
      line1: "5 Sage St",
      city: "Bath",
      postcode: "BA1 1AA",
      country: "GB",
      commandId: "add-address:test-2",
      traceparent: startTrace(),
    });
    const [added] = await publishedEvents((e) => e.subject === xan, 1);
    expect(added!.data).toMatchObject({ customerId: xan, addressId: "address-xan-1", line1: "5 Sage St" });
    expect(added!.data).not.toHaveProperty("line2");
    expect(await stub.address("address-xan-1")).not.toHaveProperty("line2");
  });
});

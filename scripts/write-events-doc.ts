/** `npm run docs:events`: regenerates docs/EVENTS.md and docs/asyncapi.json from the registry and the subscriptions. */
import { writeFileSync } from "node:fs";
import { buildAsyncApi } from "../shared/events/asyncapi";
import { subscriptions } from "../workers/router/routing-table";
import { renderEventsDoc } from "./events-doc";

// The same builder the orders worker serves at GET /catalog/asyncapi.json.
writeFileSync("docs/EVENTS.md", renderEventsDoc(subscriptions));
writeFileSync("docs/asyncapi.json", `${JSON.stringify(buildAsyncApi(subscriptions), null, 2)}\n`);
console.log("wrote docs/EVENTS.md and docs/asyncapi.json");

/** `npm run docs:events`: regenerates docs/EVENTS.md and docs/asyncapi.json from the registry and the subscriptions. */
import { writeFileSync } from "node:fs";
import { subscriptions } from "../workers/router/routing-table";
import { buildAsyncApi } from "./asyncapi";
import { renderEventsDoc } from "./events-doc";

writeFileSync("docs/EVENTS.md", renderEventsDoc(subscriptions));
writeFileSync("docs/asyncapi.json", `${JSON.stringify(buildAsyncApi(subscriptions), null, 2)}\n`);
console.log("wrote docs/EVENTS.md and docs/asyncapi.json");

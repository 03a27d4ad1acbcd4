/** `npm run docs:events`: regenerates docs/EVENTS.md from the registry and the subscriptions. */
import { writeFileSync } from "node:fs";
import { subscriptions } from "../../workers/router/routing-table";
import { renderEventsDoc } from "./events-doc";

writeFileSync("docs/EVENTS.md", renderEventsDoc(subscriptions));
console.log("wrote docs/EVENTS.md");

import { registry, type EventData, type EventType } from "../../shared/events/registry";

/** A fresh copy of the registry's example payload for a type. */
export function exampleData<T extends EventType>(type: T): EventData<T> {
  return structuredClone(registry[type].example) as EventData<T>;
}

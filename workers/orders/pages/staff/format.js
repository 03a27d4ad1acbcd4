// @ts-check
import { el } from "../app.js";

/**
 * What the staff screens and the operator console say about orders and time: short order numbers,
 * clock times, how long something has waited.
 */

/** A short order number people can read out ("#1A2B3C"), from an order id (a UUID). */
export const orderNumber = (/** @type {string} */ orderId) => `#${orderId.slice(0, 6).toUpperCase()}`;

/** 12:03 in the viewer's time zone. */
export const clock = (/** @type {string} */ iso) =>
  new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

/** 12:03:04.567, for operators comparing events a few milliseconds apart. */
export const preciseClock = (/** @type {string} */ iso) => {
  const d = new Date(iso);
  const ms = String(d.getMilliseconds()).padStart(3, "0");
  return `${d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false })}.${ms}`;
};

/** "just now", "4 min", "1 h 12 min": how long something has waited. */
export function waited(/** @type {string} */ iso, now = Date.now()) {
  const minutes = Math.floor((now - new Date(iso).getTime()) / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** "3 s", "4 min", "2 h": an age in seconds, for backlogs. */
export function age(/** @type {number} */ seconds) {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

/** How long something has waited, kept current by the page (it updates every `[data-since]`). */
export const waitedFor = (/** @type {string} */ iso) =>
  el("span", { class: "waited", "data-since": iso, title: new Date(iso).toLocaleString() }, waited(iso));

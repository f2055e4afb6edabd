/**
 * Unix-domain-socket lane: length-prefixed frames over one stream connection.
 *
 * @module
 */
export { connectUds, listenUds } from "./uds_lane.ts";

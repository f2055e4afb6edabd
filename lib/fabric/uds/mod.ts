/** Unix-domain-socket lane: length-prefixed frames over one stream connection. */
export { connectUds, listenUds } from "./uds_lane.ts";

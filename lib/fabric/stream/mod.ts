/**
 * Lane over a connected stream socket; the uds and tcp lanes are thin openers around it.
 *
 * @module
 */
export { streamLane, type StreamLaneOptions } from "./stream_lane.ts";

/**
 * TCP loopback lane (127.0.0.1 only): the legacy fallback when shm and uds are not possible.
 *
 * @module
 */
export { connectTcp, listenTcp, TCP_LOOPBACK, type TcpAddress } from "./tcp_lane.ts";

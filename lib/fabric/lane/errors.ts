/**
 * The error a lane raises when its link has ended.
 *
 * @module
 */
/**
 * The link cannot carry frames any more: the peer process died, closed its end, or sent
 * bytes that cannot be resynchronised. Senders catch it to tear the route down.
 */
export class LinkBrokenError extends Error {
  /** How the link ended. */
  readonly reason: "peer_closed" | "peer_gone" | "protocol_error" | "local";

  /** `message` says which link; `cause` carries the transport error. */
  constructor(
    message: string,
    reason: LinkBrokenError["reason"],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "LinkBrokenError";
    this.reason = reason;
  }
}

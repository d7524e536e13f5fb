import { Command } from 'ioredis';

let lastOrder = 0;

/**
 * A command that remembers the socket it was last written to, and in which order among all
 * traced commands. ioredis writes a command again after a reconnection (unanswered ones first,
 * then its offline queue), so "sent before" at call time does not mean "executed before" on
 * the socket: this records what actually happened.
 */
export class TracedCommand extends Command {
  socket?: object;
  order = 0;

  override toWritable(socket: object): string | Buffer {
    this.socket = socket;
    this.order = ++lastOrder;
    return super.toWritable(socket);
  }
}

/** True if `earlier` and `later` were last written to the same socket, in that order. */
export function writtenBefore(earlier: TracedCommand, later: TracedCommand): boolean {
  return (
    earlier.socket !== undefined && earlier.socket === later.socket && earlier.order < later.order
  );
}

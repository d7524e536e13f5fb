export const DEFAULT_POOL_SIZE = 1;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_RETRIES_PER_REQUEST = 2;
export const DEFAULT_CONNECTION_NAME = 'nest-stateful-redis';
/** Keys per MGET: large enough to amortise a round trip, small enough not to stall Redis. */
export const MGET_CHUNK_SIZE = 1_000;

/**
 * How many connections the kernel may complete before the process accepts them, asked of `listen()` by
 * every listener. Node's default, 511, overflows when a burst of clients connects while the event loop
 * is busy: the kernel then drops their handshakes and some clients see `ECONNRESET` (2,000 concurrent
 * POSTs from one client on a loaded 2-core machine did). Linux caps the value at `net.core.somaxconn`
 * (4096 by default since 5.4). What is accepted stays bounded by each listener's own limits.
 */
export const LISTEN_BACKLOG = 4096;

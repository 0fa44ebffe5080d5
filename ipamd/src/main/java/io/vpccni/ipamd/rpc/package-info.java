/**
 * ipamd's answer to the plugin: {@code IpamHandler} serves add, del, status and gc (docs/wire-formats.md section 1)
 * from the datastore without any EC2 call, waits a bounded time for the pool when it is empty, and persists every
 * change before replying; {@code RequestCounters} counts requests and is told how long each took to serve, which
 * {@code RequestDurations} keeps as histograms (eni-manager's {@code LatencyHistogram}).
 *
 * <p>I/O through its collaborators: the checkpoint ({@code state.PoolCheckpoint}); the socket is {@code rpc.transport}'s
 * {@code IpamServer}, started by {@code ipamd.app}.
 *
 * <p>Used by {@code ipamd.app}.
 */
package io.vpccni.ipamd.rpc;

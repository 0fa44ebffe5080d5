/**
 * {@code PoolCheckpoint}: the datastore's assignments and cooldowns written to and read from the checkpoint; its
 * {@code persist()} returns once a write including every earlier change is durable.
 *
 * <p>I/O: the checkpoint file, through {@code checkpoint.CheckpointStore}.
 *
 * <p>Used by {@code ipamd.app} and {@code ipamd.rpc}.
 */
package io.vpccni.ipamd.state;

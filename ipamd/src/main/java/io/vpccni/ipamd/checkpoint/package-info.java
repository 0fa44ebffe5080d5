/**
 * The checkpoint file, aws-vpc-cni's {@code vpc-cni-ipam/1} format with our cooldowns (docs/node-contract.md,
 * "Checkpoint file"): the model ({@code Checkpoint}, {@code CheckpointEntry}, {@code CooldownEntry}), its exact JSON
 * form ({@code CheckpointJson}), the atomic file store ({@code JsonFileCheckpointStore}: temporary file, fsync,
 * rename, directory fsync) and group commit ({@code CheckpointWriter}).
 *
 * <p>I/O: {@code JsonFileCheckpointStore} reads and writes the file; the model and the JSON form are pure. Knows
 * nothing of the datastore.
 *
 * <p>Used by {@code ipamd.state} (which maps the datastore to it) and {@code ipamd.app}.
 */
package io.vpccni.ipamd.checkpoint;

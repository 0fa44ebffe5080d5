/**
 * The plugin's log file ({@code AWS_VPC_K8S_PLUGIN_LOG_FILE}): leveled lines with aws-vpc-cni's timestamp shape,
 * size-based rotation, written through java.io for start-up cost (docs/plugin-startup.md).
 *
 * <p>I/O: appends to the log file (warnings and errors to stderr when no file is configured). {@code LogTimestamp} is
 * pure.
 *
 * <p>Used by {@code cni.plugin} and {@code cni.dataplane}.
 */
package io.vpccni.cni.log;

/**
 * Prometheus text with aws-vpc-cni's metric names (docs/node-contract.md, "Metrics"): {@code IpamMetrics} computes the
 * families from the daemon's read model at scrape time, {@code Exposition} writes the text format.
 *
 * <p>Pure: renders text; {@code ipamd.introspect} serves it.
 *
 * <p>Used by {@code ipamd.introspect}.
 */
package io.vpccni.ipamd.metrics;

/**
 * The Prometheus text exposition format 0.0.4: {@code MetricFamily} (a family and its samples, names checked;
 * counters, gauges, summaries and histograms, a histogram's cumulative buckets checked as it is built) and
 * {@code Exposition}, which writes families as text. Which metrics the daemon has, with aws-vpc-cni's names
 * (docs/node-contract.md, "Metrics"), is {@code ipamd.introspect.IpamMetrics}, computed from the read model at
 * scrape time.
 *
 * <p>Pure: renders text; depends on nothing else in the project.
 *
 * <p>Used by {@code ipamd.introspect}.
 */
package io.vpccni.ipamd.metrics;

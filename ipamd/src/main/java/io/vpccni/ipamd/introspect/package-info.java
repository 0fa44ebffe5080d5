/**
 * ipamd's read-only HTTP: {@code IntrospectionServer} serves {@code /v1/pool}, {@code /v1/enis}, {@code /v1/config},
 * {@code /healthz}, {@code /readyz} and {@code /metrics} from the daemon's read model, {@code NodeView}; the views
 * ({@code PoolView}, {@code EnisView}, {@code ConfigView}), the metrics ({@code IpamMetrics}, with aws-vpc-cni's
 * names, written in {@code ipamd.metrics}' text format) and {@code Readiness} render it.
 *
 * <p>I/O: the HTTP listeners (JDK HTTP server, virtual threads). The views are pure.
 *
 * <p>Used by {@code ipamd.app} (which implements {@code NodeView}).
 */
package io.vpccni.ipamd.introspect;

/**
 * Network namespace handles: {@code NetNs} opens a namespace by path and runs work inside it on a dedicated platform
 * thread ({@code setns} is per OS thread; never on a virtual thread). A thread that cannot switch back is discarded,
 * not reused.
 *
 * <p>I/O: opens namespace files and switches threads' namespaces through {@code netlink.sys.LibC}.
 *
 * <p>Used by {@code netlink.api} and {@code netlink.socket}, {@code cni.dataplane} and {@code cni.plugin} (the pod's
 * namespace), and test-localstack's {@code it.vpc}.
 */
package io.vpccni.netlink.ns;

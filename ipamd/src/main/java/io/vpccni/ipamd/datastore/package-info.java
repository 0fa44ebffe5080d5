/**
 * The node's address pool as state: ENIs, their /32 secondary IPs and /28 prefixes, which pod holds which address,
 * cooldowns ({@code Datastore}), in the project's IPv4 values ({@code netlink.ip}'s {@code Ipv4Address} and
 * {@code Ipv4Cidr}).
 *
 * <p>Pure: no I/O, no metrics, no environment; time from an injected {@code Clock}; every public method of
 * {@code Datastore} takes one lock.
 *
 * <p>Used by most of ipamd: {@code app}, {@code config} (CIDR values), {@code introspect}, {@code k8s},
 * {@code metrics}, {@code pool}, {@code reconcile}, {@code rpc}, {@code state}, {@code warmpool}. It depends on
 * nothing else in the project but {@code netlink.ip}.
 */
package io.vpccni.ipamd.datastore;

/**
 * The CNI specification, 0.3.0 to 1.1.0: the invocation's parameters from an injected environment map
 * ({@code CmdArgs}), the network configuration ({@code NetConf}, {@code NetConfParser}), results and their conversion
 * to the configuration's version ({@code CniResult}, {@code ResultReader}, {@code ResultWriter}), versions and errors
 * with the specification's codes and ours ({@code CniVersion}, {@code CniError}).
 *
 * <p>Pure: no I/O, and never {@code System.getenv}; the caller passes the environment.
 *
 * <p>Used by {@code cni.plugin} and {@code cni.server}. Depends on {@code rpc.veth} (the veth prefix and CNI_IFNAME rules), {@code rpc.json} and {@code netlink.ip}
 * (the IPv4 syntax) only.
 */
package io.vpccni.cni.spec;

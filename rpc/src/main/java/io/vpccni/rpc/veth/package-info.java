/**
 * The host side veth name of a pod, a node contract with aws-vpc-cni (docs/node-contract.md): {@code HostVethName}
 * (prefix + 11 hex digits of SHA-1 of "namespace.podname", {@code Sha1} written out for the plugin's start-up) and the
 * interface-name rules it and CNI_IFNAME must follow ({@code InterfaceNames}).
 *
 * <p>Pure: no I/O, JDK only.
 *
 * <p>Here, in the module both sides carry, because both sides name the veth: the plugin creates it
 * ({@code cni.plugin}) and checks the configured prefix and CNI_IFNAME ({@code cni.spec}); ipamd finds the veth of a
 * pod it restores or enforces policy on ({@code ipamd.app}, {@code ipamd.policy}).
 */
package io.vpccni.rpc.veth;

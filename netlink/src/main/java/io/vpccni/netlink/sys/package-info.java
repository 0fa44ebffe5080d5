/**
 * The system calls the project makes from Java (socket, bind, connect, setsockopt, sendto, recvfrom, sendmsg and
 * recvmsg with descriptors, shutdown, openat, close, setns), one JNI function each in {@code netlink/src/main/c/vpccni_syscall.c}, behind {@code LibC};
 * {@code NativeLibrary} loads the library. JNI rather than FFM for the plugin's start-up: docs/plugin-startup.md.
 *
 * <p>I/O: every call here is a system call; loading the library may write a private temporary copy of it.
 *
 * <p>Used by {@code netlink.ns} and {@code netlink.socket}, by {@code rpc.transport}'s {@code IpamClient} (the
 * plugin's Unix-socket client, on raw calls rather than a JDK channel) and by {@code rpc.unix}'s
 * {@code PassedDescriptor} (recvmsg for a descriptor passed with a request). Nothing else may use it.
 */
package io.vpccni.netlink.sys;

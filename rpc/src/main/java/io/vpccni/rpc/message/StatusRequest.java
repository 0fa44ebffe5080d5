package io.vpccni.rpc.message;

/** Is the pool able to serve an add now (CNI STATUS)? */
public record StatusRequest() implements IpamRequest {}

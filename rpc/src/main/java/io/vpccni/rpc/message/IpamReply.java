package io.vpccni.rpc.message;

/** What ipamd answers: one success type per request type, or a {@link Failure}. */
public sealed interface IpamReply permits AddOk, DelOk, StatusOk, GcOk, Failure {}

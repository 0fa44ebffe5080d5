package io.vpccni.rpc.message;

/**
 * What the plugin asks ipamd. On the wire each message also carries {@code protocolVersion} and a
 * {@code type}; the codec adds and checks both, so the records hold only the payload.
 */
public sealed interface IpamRequest permits AddRequest, DelRequest, StatusRequest, GcRequest {}

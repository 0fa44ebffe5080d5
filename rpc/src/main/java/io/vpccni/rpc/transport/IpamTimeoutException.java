package io.vpccni.rpc.transport;

import java.io.IOException;

/** ipamd accepted the connection but did not complete the exchange before the deadline. */
public final class IpamTimeoutException extends IOException {
    public IpamTimeoutException(String message) {
        super(message);
    }
}

package io.vpccni.rpc.transport;

import java.io.IOException;

/**
 * Nobody is listening: no socket file, or a socket nobody accepts on (ipamd down or restarting).
 * Its own type because the plugin's DEL then tears the pod down from prevResult alone.
 */
public final class IpamUnreachableException extends IOException {
    public IpamUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}

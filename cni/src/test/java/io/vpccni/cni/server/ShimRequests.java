package io.vpccni.cni.server;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Requests encoded byte for byte as the C shim writes them, for tests that talk to the server without it. */
public final class ShimRequests {
    private ShimRequests() {}

    public static byte[] encode(PluginFrames.Request request) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(PluginFrames.MAGIC.getBytes(StandardCharsets.US_ASCII));
        request.env().forEach((k, v) -> {
            out.writeBytes((k + "=" + v).getBytes(StandardCharsets.UTF_8));
            out.write(0);
        });
        out.write(0);
        out.writeBytes(request.stdin());
        return out.toByteArray();
    }
}

package io.vpccni.ipamd.introspect;

import io.vpccni.rpc.unix.BoundedServer;
import java.util.function.Function;

/** HTTP/1.x framing over {@link BoundedServer}: one request per connection, answered by {@code routes}. */
record HttpHandler(Function<HttpRequestHead, HttpResponse> routes) implements BoundedServer.Handler {

    @Override
    public boolean complete(byte[] buf, int len, boolean eof) {
        return HttpRequestHead.complete(buf, len, eof);
    }

    @Override
    public byte[] answer(byte[] request) {
        return switch (HttpRequestHead.parse(request)) {
            case HttpRequestHead.Parsed.Ok ok -> routes.apply(ok.head()).encode();
            case HttpRequestHead.Parsed.Bad bad -> HttpResponse.text(400, "bad request: " + bad.why() + "\n")
                    .encode();
        };
    }

    @Override
    public byte[] oversized(int limit) {
        return HttpResponse.text(413, "request larger than " + limit + " bytes\n").encode();
    }
}

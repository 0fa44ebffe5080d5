package io.vpccni.ipamd.introspect;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * The request line of an HTTP/1.x request, all the introspection server needs; headers other than
 * {@code Content-Length} are read past. A body, if any, is received (so that closing does not reset the
 * connection before the client reads the reply) and ignored.
 */
record HttpRequestHead(String method, String path) {
    /** Requests and their bodies above this are refused: probes and scrapers send a few hundred bytes. */
    static final int MAX_BYTES = 8 * 1024;

    /** Whether {@code buf[0, len)} holds a whole request: the head, and as many body bytes as it announces. */
    static boolean complete(byte[] buf, int len, boolean eof) {
        if (eof) {
            return true;
        }
        int end = headEnd(buf, len);
        if (end < 0) {
            return false;
        }
        long body = contentLength(new String(buf, 0, end, StandardCharsets.ISO_8859_1)).orElse(0L);
        return body < 0 || len - end >= body;
    }

    /** The head of a complete request, or why it is not one. */
    static Parsed parse(byte[] buf) {
        int end = headEnd(buf, buf.length);
        if (end < 0) {
            return new Parsed.Bad("the request ended before its head did");
        }
        String head = new String(buf, 0, end, StandardCharsets.ISO_8859_1);
        String line = head.lines().findFirst().orElse("");
        String[] parts = line.split(" ", -1);
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.") || parts[0].isEmpty()) {
            return new Parsed.Bad("not an HTTP/1.x request line");
        }
        if (contentLength(head).orElse(0L) < 0) {
            return new Parsed.Bad("a Content-Length that is not a number, or a chunked body");
        }
        String path;
        try {
            URI uri = new URI(parts[1]);
            path = uri.getPath();
        } catch (java.net.URISyntaxException e) {
            return new Parsed.Bad("not a URI: " + e.getReason());
        }
        if (path == null || !path.startsWith("/")) {
            return new Parsed.Bad("the target has no absolute path");
        }
        return new Parsed.Ok(new HttpRequestHead(parts[0], path));
    }

    sealed interface Parsed {
        record Ok(HttpRequestHead head) implements Parsed {}

        record Bad(String why) implements Parsed {}
    }

    /** The index just past the blank line that ends the head, or -1. */
    private static int headEnd(byte[] buf, int len) {
        for (int i = 0; i < len; i++) {
            if (buf[i] == '\n') {
                if (i + 1 < len && buf[i + 1] == '\n') {
                    return i + 2;
                }
                if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n') {
                    return i + 3;
                }
            }
        }
        return -1;
    }

    /** The announced body length; -1 for one that cannot be honoured (malformed, or chunked). */
    private static Optional<Long> contentLength(String head) {
        Optional<Long> length = Optional.empty();
        for (String line : head.lines().skip(1).toList()) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            if (name.equals("transfer-encoding")) {
                return Optional.of(-1L);
            }
            if (name.equals("content-length")) {
                try {
                    long n = Long.parseLong(value);
                    length = Optional.of(n < 0 ? -1L : n);
                } catch (NumberFormatException e) {
                    return Optional.of(-1L);
                }
            }
        }
        return length;
    }
}

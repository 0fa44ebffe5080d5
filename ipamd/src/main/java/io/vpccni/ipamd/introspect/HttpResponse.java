package io.vpccni.ipamd.introspect;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** A whole HTTP/1.1 response, closing the connection after it. */
record HttpResponse(int status, String contentType, String body, Optional<String> allow) {

    static HttpResponse text(int status, String body) {
        return new HttpResponse(status, "text/plain; charset=utf-8", body, Optional.empty());
    }

    HttpResponse withAllow(String methods) {
        return new HttpResponse(status, contentType, body, Optional.of(methods));
    }

    byte[] encode() {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder()
                .append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n")
                .append("Content-Type: ").append(contentType).append("\r\n")
                .append("Content-Length: ").append(content.length).append("\r\n")
                .append("Connection: close\r\n");
        allow.ifPresent(a -> head.append("Allow: ").append(a).append("\r\n"));
        byte[] h = head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[h.length + content.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(content, 0, all, h.length, content.length);
        return all;
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 413 -> "Content Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }
}

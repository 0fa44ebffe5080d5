package io.vpccni.rpc.codec;

import io.vpccni.rpc.json.JsonException;
import io.vpccni.rpc.json.JsonReader.Token;
import io.vpccni.rpc.json.JsonReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one whole JSON document into plain maps, lists, strings, longs, doubles and booleans
 * before any field is interpreted. Messages are small, and reading everything first means field
 * order does not matter, the version can be checked before anything else, and a decode either
 * succeeds completely or not at all.
 */
final class JsonTree {
    /** Stands for JSON null, which a map cannot hold as a value we could tell from "absent". */
    static final Object NULL = new Object();

    /** Our messages nest three levels at most; anything deeper is not ours. */
    private static final int MAX_DEPTH = 8;

    private JsonTree() {}

    static Map<String, Object> parseObject(byte[] bytes, int offset, int length)
            throws ProtocolException {
        if (length > Protocol.MAX_MESSAGE_BYTES) {
            throw new ProtocolException("message of " + length + " bytes exceeds the limit of "
                    + Protocol.MAX_MESSAGE_BYTES + " bytes");
        }
        var p = new JsonReader(utf8(bytes, offset, length), MAX_DEPTH);
        try {
            Token first = p.next();
            if (first == Token.END_OF_INPUT) {
                throw new ProtocolException("empty message");
            }
            if (first != Token.START_OBJECT) {
                throw new ProtocolException("message is not a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> root = (Map<String, Object>) read(p);
            p.next(); // the end of input, or else trailing data, which throws
            return root;
        } catch (JsonException e) {
            throw new ProtocolException(
                    (e.truncated() ? "truncated message: " : "malformed JSON: ") + e.getMessage());
        }
    }

    private static String utf8(byte[] bytes, int offset, int length) throws ProtocolException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, offset, length))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException("message is not valid UTF-8");
        }
    }

    /** The value the reader is on, which it leaves on the value's last token. */
    private static Object read(JsonReader p) throws JsonException {
        return switch (p.token()) {
            case START_OBJECT -> {
                Map<String, Object> m = new HashMap<>();
                while (p.next() != Token.END_OBJECT) {
                    String name = p.name();
                    p.next();
                    m.put(name, read(p));
                }
                yield m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.next() != Token.END_ARRAY) {
                    l.add(read(p));
                }
                yield l;
            }
            case STRING -> p.string();
            case NUMBER_INT -> p.longValue();
            case NUMBER_FLOAT -> p.doubleValue();
            case TRUE -> Boolean.TRUE;
            case FALSE -> Boolean.FALSE;
            case NULL -> NULL;
            case END_OBJECT, END_ARRAY, FIELD_NAME, END_OF_INPUT ->
                    throw new IllegalStateException("not at a value: " + p.token());
        };
    }
}

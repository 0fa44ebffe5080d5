package io.vpccni.rpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.IOException;
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

    static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** Our messages nest three levels at most; anything deeper is not ours. */
    private static final int MAX_DEPTH = 8;

    private JsonTree() {}

    static Map<String, Object> parseObject(byte[] bytes, int offset, int length)
            throws ProtocolException {
        if (length > Protocol.MAX_MESSAGE_BYTES) {
            throw new ProtocolException("message of " + length + " bytes exceeds the limit of "
                    + Protocol.MAX_MESSAGE_BYTES + " bytes");
        }
        String text = utf8(bytes, offset, length);
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new ProtocolException("empty message");
            }
            if (first != JsonToken.START_OBJECT) {
                throw new ProtocolException("message is not a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> root = (Map<String, Object>) read(p, first, 1);
            requireEnd(p);
            return root;
        } catch (JsonEOFException e) {
            throw new ProtocolException("truncated message: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new ProtocolException("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ProtocolException("unreadable message: " + e.getMessage(), e);
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

    private static void requireEnd(JsonParser p) throws ProtocolException {
        JsonToken next;
        try {
            next = p.nextToken();
        } catch (IOException e) {
            next = JsonToken.NOT_AVAILABLE;
        }
        if (next != null) {
            throw new ProtocolException("trailing data after the JSON message");
        }
    }

    private static Object read(JsonParser p, JsonToken t, int depth)
            throws IOException, ProtocolException {
        if (depth > MAX_DEPTH) {
            throw new ProtocolException("message nests deeper than " + MAX_DEPTH + " levels");
        }
        if (t == null) {
            throw new ProtocolException("truncated message");
        }
        return switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new HashMap<>();
                for (JsonToken n = p.nextToken(); n != JsonToken.END_OBJECT; n = p.nextToken()) {
                    String name = p.currentName();
                    m.put(name, read(p, p.nextToken(), depth + 1));
                }
                yield m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                for (JsonToken n = p.nextToken(); n != JsonToken.END_ARRAY; n = p.nextToken()) {
                    l.add(read(p, n, depth + 1));
                }
                yield l;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT, LONG -> p.getLongValue();
                default -> throw new ProtocolException("integer out of range: " + p.getText());
            };
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> NULL;
            default -> throw new ProtocolException("unexpected JSON token " + t);
        };
    }
}

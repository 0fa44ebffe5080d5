package io.vpccni.cni.spec;

import io.vpccni.rpc.json.JsonException;
import io.vpccni.rpc.json.JsonReader;
import io.vpccni.rpc.json.JsonReader.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Streaming reads of the values our configuration and results hold. The reader is positioned on
 * the value; a value of the wrong JSON type is a configuration error (code 7) naming its path.
 * JSON null counts as absent, as it does for Go's decoder.
 */
final class Json {
    /** jackson-core's default limit, which the plugin had before; no real input comes near it. */
    private static final int MAX_DEPTH = 1000;

    private Json() {}

    static JsonReader reader(String json) {
        return new JsonReader(json, MAX_DEPTH);
    }

    /**
     * Reads to the end of the root object and requires nothing after it. Called also after a
     * field was found invalid mid-way, so that malformed JSON is reported as such (code 6) even
     * when an earlier field already looked wrong (code 7).
     */
    static void finish(JsonReader p) throws JsonException {
        while (!p.inRoot()) {
            p.next();
        }
        p.next(); // the end of input, or else trailing data, which throws
    }

    /** Code 6, for input that is not one well-formed JSON value. */
    static CniError decodeFailure(JsonException e) {
        return new CniError(CniError.DECODING_FAILURE,
                (e.truncated() ? "truncated JSON: " : "malformed JSON: ") + e.getMessage());
    }

    static boolean isNull(JsonReader p) {
        return p.token() == Token.NULL;
    }

    static Optional<String> string(JsonReader p, String path) throws CniError {
        if (isNull(p)) {
            return Optional.empty();
        }
        if (p.token() != Token.STRING) {
            throw wrongType(p, path, "a string");
        }
        return Optional.of(p.string());
    }

    /** As {@link #string}, with "" also counting as absent (Go's omitempty wrote nothing). */
    static Optional<String> nonEmptyString(JsonReader p, String path) throws CniError {
        Optional<String> s = string(p, path);
        return s.isPresent() && s.get().isEmpty() ? Optional.empty() : s;
    }

    static OptionalInt integer(JsonReader p, String path) throws CniError, JsonException {
        if (isNull(p)) {
            return OptionalInt.empty();
        }
        if (p.token() != Token.NUMBER_INT || !p.isInt()) {
            throw wrongType(p, path, "an integer");
        }
        return OptionalInt.of(p.intValue());
    }

    static List<String> strings(JsonReader p, String path) throws CniError, JsonException {
        List<String> out = new ArrayList<>();
        if (isNull(p)) {
            return out;
        }
        requireArray(p, path);
        for (int i = 0; p.next() != Token.END_ARRAY; i++) {
            Optional<String> item = string(p, path + "[" + i + "]");
            if (item.isEmpty()) {
                throw invalid(path + " must not contain null");
            }
            out.add(item.get());
        }
        return out;
    }

    static void requireArray(JsonReader p, String path) throws CniError {
        if (p.token() != Token.START_ARRAY) {
            throw wrongType(p, path, "an array");
        }
    }

    static void requireObject(JsonReader p, String path) throws CniError {
        if (p.token() != Token.START_OBJECT) {
            throw wrongType(p, path, "an object");
        }
    }

    static CniError invalid(String message) {
        return new CniError(CniError.INVALID_NETWORK_CONFIG, message);
    }

    static CniError wrongType(JsonReader p, String path, String expected) {
        return invalid(path + " must be " + expected + ", got " + kind(p.token()));
    }

    private static String kind(Token t) {
        return switch (t) {
            case STRING -> "a string";
            case NUMBER_INT -> "an integer";
            case NUMBER_FLOAT -> "a fractional number";
            case TRUE, FALSE -> "a boolean";
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            default -> "null";
        };
    }
}

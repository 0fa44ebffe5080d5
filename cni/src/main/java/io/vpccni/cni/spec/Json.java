package io.vpccni.cni.spec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Streaming reads of the values our configuration and results hold. The parser is positioned on
 * the value; a value of the wrong JSON type is a configuration error (code 7) naming its path.
 * JSON null counts as absent, as it does for Go's decoder.
 */
final class Json {
    static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Json() {}

    /**
     * Reads to the end of the root object and requires nothing after it. Called also after a
     * field was found invalid mid-way, so that malformed JSON is reported as such (code 6) even
     * when an earlier field already looked wrong (code 7).
     */
    static void finish(JsonParser p, String what) throws CniError, IOException {
        while (!p.getParsingContext().inRoot()) {
            if (p.nextToken() == null) {
                throw new CniError(CniError.DECODING_FAILURE, "truncated JSON in the " + what);
            }
        }
        if (p.nextToken() != null) {
            throw new CniError(CniError.DECODING_FAILURE, "trailing data after the " + what);
        }
    }

    static boolean isNull(JsonParser p) {
        return p.currentToken() == JsonToken.VALUE_NULL;
    }

    static Optional<String> string(JsonParser p, String path) throws CniError {
        if (isNull(p)) {
            return Optional.empty();
        }
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw wrongType(p, path, "a string");
        }
        return Optional.of(text(p));
    }

    /** As {@link #string}, with "" also counting as absent (Go's omitempty wrote nothing). */
    static Optional<String> nonEmptyString(JsonParser p, String path) throws CniError {
        Optional<String> s = string(p, path);
        return s.isPresent() && s.get().isEmpty() ? Optional.empty() : s;
    }

    static OptionalInt integer(JsonParser p, String path) throws CniError, IOException {
        if (isNull(p)) {
            return OptionalInt.empty();
        }
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT
                || p.getNumberType() != JsonParser.NumberType.INT) {
            throw wrongType(p, path, "an integer");
        }
        return OptionalInt.of(p.getIntValue());
    }

    static List<String> strings(JsonParser p, String path) throws CniError, IOException {
        List<String> out = new ArrayList<>();
        if (isNull(p)) {
            return out;
        }
        requireArray(p, path);
        for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
            Optional<String> item = string(p, path + "[" + i + "]");
            if (item.isEmpty()) {
                throw invalid(path + " must not contain null");
            }
            out.add(item.get());
        }
        return out;
    }

    static void requireArray(JsonParser p, String path) throws CniError {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw wrongType(p, path, "an array");
        }
    }

    static void requireObject(JsonParser p, String path) throws CniError {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw wrongType(p, path, "an object");
        }
    }

    static CniError invalid(String message) {
        return new CniError(CniError.INVALID_NETWORK_CONFIG, message);
    }

    static CniError wrongType(JsonParser p, String path, String expected) {
        return invalid(path + " must be " + expected + ", got " + kind(p.currentToken()));
    }

    private static String text(JsonParser p) {
        try {
            return p.getText();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String kind(JsonToken t) {
        return switch (t) {
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a fractional number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            default -> "null";
        };
    }
}

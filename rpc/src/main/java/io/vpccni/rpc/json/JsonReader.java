package io.vpccni.rpc.json;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A strict RFC 8259 pull parser over one JSON text held in a String: exactly one root value; no
 * comments, trailing commas, single quotes, NaN or leading zeros; no unescaped control characters
 * and no lone surrogates in strings; no name twice in one object; at most {@code maxDepth} objects
 * and arrays open at once. Errors say what was wrong and at which line and column.
 *
 * <p>The plugin is a fresh JVM per call that runs this code interpreted, so it reads chars in plain
 * loops and never touches BigDecimal or BigInteger (their class initialisation, reached through
 * jackson-core, was a sixth of a plugin ADD's CPU), regex, reflection or lambdas. An integer is
 * converted only when asked for, so a huge number in a field nobody reads is skipped like any value.
 *
 * <p>{@link #next()} moves to the next token and the accessors read the current one. After the
 * root value next() returns {@link Token#END_OF_INPUT}, or throws if anything but whitespace
 * follows; for an input of only whitespace it returns END_OF_INPUT at once.
 */
public final class JsonReader {
    public enum Token {
        START_OBJECT,
        END_OBJECT,
        START_ARRAY,
        END_ARRAY,
        /** A name in an object; the next token is its value. */
        FIELD_NAME,
        STRING,
        /** A number without fraction or exponent, of any size; see {@link #longValue()}. */
        NUMBER_INT,
        NUMBER_FLOAT,
        TRUE,
        FALSE,
        NULL,
        END_OF_INPUT
    }

    private final String text;
    private final int maxDepth;
    private int pos;
    /** Null until the first {@link #next()}. */
    private Token token;
    /** Where the current token starts: numbers are read from there, and errors point there. */
    private int tokenStart;
    /** The current FIELD_NAME or STRING, unescaped. */
    private String string;
    /** Where the current number's text ends. */
    private int numberEnd;

    private int depth;
    /** Per open container, outermost first: an object, or else an array. */
    private boolean[] isObject = new boolean[8];
    /** Per depth, the names seen in the object open there; kept for reuse, cleared on open. */
    private final List<Set<String>> names = new ArrayList<>();

    public JsonReader(String text, int maxDepth) {
        if (maxDepth < 1) {
            throw new IllegalArgumentException("maxDepth must be at least 1, was " + maxDepth);
        }
        this.text = text;
        this.maxDepth = maxDepth;
    }

    public Token next() throws JsonException {
        int c = skipWhitespace();
        if (depth == 0) {
            if (c < 0) {
                token = Token.END_OF_INPUT;
                return token;
            }
            if (token != null) {
                throw malformed("trailing data after the JSON value", pos);
            }
            return value(c);
        }
        if (isObject[depth - 1]) {
            if (token == Token.FIELD_NAME) {
                if (c != ':') {
                    throw unexpected(c, "':'");
                }
                pos++;
                return value(skipWhitespace());
            }
            if (c == '}') {
                return close(Token.END_OBJECT);
            }
            if (token != Token.START_OBJECT) {
                c = comma(c, '}');
            }
            return fieldName(c);
        }
        if (c == ']') {
            return close(Token.END_ARRAY);
        }
        if (token != Token.START_ARRAY) {
            c = comma(c, ']');
        }
        return value(c);
    }

    public Token token() {
        return token;
    }

    /** True outside every object and array: before the root value and once it is complete. */
    public boolean inRoot() {
        return depth == 0;
    }

    /** On START_OBJECT or START_ARRAY, moves to the matching end; on any other token, stays. */
    public void skipChildren() throws JsonException {
        if (token != Token.START_OBJECT && token != Token.START_ARRAY) {
            return;
        }
        int openedAt = depth;
        while (depth >= openedAt) {
            next();
        }
    }

    public String name() {
        require(Token.FIELD_NAME);
        return string;
    }

    public String string() {
        require(Token.STRING);
        return string;
    }

    /** Whether the current NUMBER_INT fits an int. */
    public boolean isInt() {
        try {
            long v = longValue();
            return v == (int) v;
        } catch (JsonException e) {
            return false;
        }
    }

    public int intValue() throws JsonException {
        long v = longValue();
        if (v != (int) v) {
            throw outOfRange();
        }
        return (int) v;
    }

    public long longValue() throws JsonException {
        require(Token.NUMBER_INT);
        try {
            return Long.parseLong(text, tokenStart, numberEnd, 10);
        } catch (NumberFormatException e) {
            throw outOfRange();
        }
    }

    public double doubleValue() {
        if (token != Token.NUMBER_FLOAT) {
            require(Token.NUMBER_INT);
        }
        return Double.parseDouble(numberText());
    }

    /** The current number as written, which is valid JSON. */
    String numberText() {
        return text.substring(tokenStart, numberEnd);
    }

    private void require(Token expected) {
        if (token != expected) {
            throw new IllegalStateException("the current token is " + token + ", not " + expected);
        }
    }

    private JsonException outOfRange() {
        return malformed("integer out of range: " + numberText(), tokenStart);
    }

    /** Returns the char there, or -1 at the end of input. */
    private int skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return c;
            }
            pos++;
        }
        return -1;
    }

    private int peek() {
        return pos < text.length() ? text.charAt(pos) : -1;
    }

    /** Requires the ',' between two members, and something other than the closer after it. */
    private int comma(int c, char closer) throws JsonException {
        if (c != ',') {
            throw unexpected(c, "',' or '" + closer + "'");
        }
        pos++;
        int after = skipWhitespace();
        if (after == closer) {
            throw malformed("trailing comma before '" + closer + "'", pos);
        }
        return after;
    }

    private Token value(int c) throws JsonException {
        tokenStart = pos;
        return switch (c) {
            case '{' -> open(true, Token.START_OBJECT);
            case '[' -> open(false, Token.START_ARRAY);
            case '"' -> {
                pos++;
                string = readString();
                yield found(Token.STRING);
            }
            case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> number();
            case 't' -> literal("true", Token.TRUE);
            case 'f' -> literal("false", Token.FALSE);
            case 'n' -> literal("null", Token.NULL);
            default -> throw unexpected(c, "a value");
        };
    }

    private Token fieldName(int c) throws JsonException {
        if (c != '"') {
            throw unexpected(c, "a field name");
        }
        tokenStart = pos;
        pos++;
        string = readString();
        if (!names.get(depth - 1).add(string)) {
            throw malformed("duplicate field '" + string + "'", tokenStart);
        }
        return found(Token.FIELD_NAME);
    }

    private Token found(Token t) {
        token = t;
        return t;
    }

    private Token open(boolean object, Token start) throws JsonException {
        if (depth == maxDepth) {
            throw malformed("value nests deeper than " + maxDepth + " levels", pos);
        }
        if (depth == isObject.length) {
            isObject = Arrays.copyOf(isObject, depth * 2);
        }
        isObject[depth] = object;
        if (object) {
            while (names.size() <= depth) {
                names.add(new HashSet<>());
            }
            names.get(depth).clear();
        }
        depth++;
        pos++;
        return found(start);
    }

    private Token close(Token end) {
        tokenStart = pos;
        pos++;
        depth--;
        return found(end);
    }

    private Token literal(String word, Token t) throws JsonException {
        for (int i = 0; i < word.length(); i++, pos++) {
            int c = peek();
            if (c != word.charAt(i)) {
                throw unexpected(c, "'" + word + "'");
            }
        }
        return found(t);
    }

    private Token number() throws JsonException {
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
            if (isDigit(peek())) {
                throw malformed("leading zero in a number", pos - 1);
            }
        } else {
            digits();
        }
        Token kind = Token.NUMBER_INT;
        if (peek() == '.') {
            pos++;
            digits();
            kind = Token.NUMBER_FLOAT;
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            digits();
            kind = Token.NUMBER_FLOAT;
        }
        numberEnd = pos;
        return found(kind);
    }

    /** One or more ASCII digits. */
    private void digits() throws JsonException {
        if (!isDigit(peek())) {
            throw unexpected(peek(), "a digit");
        }
        do {
            pos++;
        } while (isDigit(peek()));
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    /** From after the opening quote to after the closing one. */
    private String readString() throws JsonException {
        int start = pos;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                pos = i + 1;
                return text.substring(start, i);
            }
            if (c == '\\' || c < 0x20 || Character.isSurrogate(c)) {
                return readStringSlowly(start, i);
            }
        }
        pos = text.length();
        throw truncated("input ends inside a string");
    }

    /** The rest of a string from its first escape, control character or surrogate. */
    private String readStringSlowly(int start, int from) throws JsonException {
        var out = new StringBuilder(from - start + 16).append(text, start, from);
        pos = from;
        int pendingHighSurrogateAt = -1;
        while (pos < text.length()) {
            int at = pos;
            char c = text.charAt(pos++);
            if (c == '"') {
                if (pendingHighSurrogateAt >= 0) {
                    throw loneSurrogate(out.charAt(out.length() - 1), pendingHighSurrogateAt);
                }
                return out.toString();
            }
            if (c < 0x20) {
                throw malformed("unescaped control character " + describe(c) + " in a string", at);
            }
            if (c == '\\') {
                c = escape(at);
            }
            if (pendingHighSurrogateAt >= 0 && !Character.isLowSurrogate(c)) {
                throw loneSurrogate(out.charAt(out.length() - 1), pendingHighSurrogateAt);
            }
            if (pendingHighSurrogateAt < 0 && Character.isLowSurrogate(c)) {
                throw loneSurrogate(c, at);
            }
            pendingHighSurrogateAt = Character.isHighSurrogate(c) ? at : -1;
            out.append(c);
        }
        throw truncated("input ends inside a string");
    }

    /** After the backslash at {@code at}. */
    private char escape(int at) throws JsonException {
        if (pos == text.length()) {
            throw truncated("input ends inside an escape");
        }
        char c = text.charAt(pos++);
        return switch (c) {
            case '"', '\\', '/' -> c;
            case 'b' -> '\b';
            case 'f' -> '\f';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'u' -> hex4(at);
            default -> throw malformed("invalid escape: backslash followed by " + describe(c), at);
        };
    }

    private char hex4(int at) throws JsonException {
        int value = 0;
        for (int i = 0; i < 4; i++, pos++) {
            if (pos == text.length()) {
                throw truncated("input ends inside an escape");
            }
            int digit = hexDigit(text.charAt(pos));
            if (digit < 0) {
                throw malformed("invalid \\u escape: " + describe(text.charAt(pos))
                        + " is not a hex digit", at);
            }
            value = value * 16 + digit;
        }
        return (char) value;
    }

    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private JsonException loneSurrogate(char c, int at) {
        return malformed("lone surrogate " + describe(c) + " in a string", at);
    }

    /** {@code c} is the char found at pos, or -1 for the end of input. */
    private JsonException unexpected(int c, String expected) {
        return c < 0
                ? truncated("input ends where " + expected + " was expected")
                : malformed("unexpected " + describe((char) c) + " where " + expected
                        + " was expected", pos);
    }

    private JsonException malformed(String problem, int at) {
        return new JsonException(problem + where(at), false);
    }

    private JsonException truncated(String problem) {
        return new JsonException(problem + where(text.length()), true);
    }

    private String where(int offset) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return " at line " + line + ", column " + (offset - lineStart + 1);
    }

    /** Printable ASCII quoted, anything else (which may be invisible) as its code point. */
    private static String describe(char c) {
        if (c == '\'') {
            return "\"'\"";
        }
        if (c >= 0x20 && c < 0x7f) {
            return "'" + c + "'";
        }
        var out = new StringBuilder(6).append("U+");
        JsonWriter.appendHex(out, c, 4);
        return out.toString();
    }
}

package io.vpccni.rpc.json;

/**
 * Appends compact JSON to a StringBuilder. The caller keeps the structure right (names only in
 * objects, every start ended); the writer adds the commas and escapes strings as jackson-core
 * did, so output stays byte for byte what it was: quote, backslash and the control characters,
 * those with a short form (b, t, n, f, r) as such and the others as backslash, u and four
 * upper-case hex digits; everything else as is.
 */
public final class JsonWriter {
    private static final String HEX = "0123456789ABCDEF";

    private final StringBuilder out;
    /** A value was written last in the current container, so the next one needs a comma first. */
    private boolean afterValue;

    public JsonWriter(StringBuilder out) {
        this.out = out;
    }

    public JsonWriter startObject() {
        return open('{');
    }

    public JsonWriter endObject() {
        return close('}');
    }

    public JsonWriter startArray() {
        return open('[');
    }

    public JsonWriter endArray() {
        return close(']');
    }

    /** A field name; the field's value comes next. */
    public JsonWriter name(String name) {
        quote(beginValue(), name).append(':');
        afterValue = false;
        return this;
    }

    public JsonWriter value(String s) {
        quote(beginValue(), s);
        return this;
    }

    public JsonWriter value(long n) {
        beginValue().append(n);
        return this;
    }

    public JsonWriter value(boolean b) {
        beginValue().append(b);
        return this;
    }

    public JsonWriter nullValue() {
        beginValue().append("null");
        return this;
    }

    public JsonWriter field(String name, String value) {
        return name(name).value(value);
    }

    public JsonWriter field(String name, long value) {
        return name(name).value(value);
    }

    public JsonWriter field(String name, boolean value) {
        return name(name).value(value);
    }

    /**
     * Copies the value the reader is on (with its name, when the reader is on a FIELD_NAME) and
     * leaves the reader on the value's last token. Strings are unescaped and escaped again as
     * above; numbers keep their text, so nothing is rounded or reformatted.
     */
    public JsonWriter copy(JsonReader r) throws JsonException {
        if (r.token() == JsonReader.Token.FIELD_NAME) {
            name(r.name());
            r.next();
        }
        int open = copyToken(r);
        while (open > 0) {
            r.next();
            open += copyToken(r);
        }
        return this;
    }

    /** Returns the change in nesting. */
    private int copyToken(JsonReader r) {
        switch (r.token()) {
            case START_OBJECT -> {
                startObject();
                return 1;
            }
            case START_ARRAY -> {
                startArray();
                return 1;
            }
            case END_OBJECT -> {
                endObject();
                return -1;
            }
            case END_ARRAY -> {
                endArray();
                return -1;
            }
            case FIELD_NAME -> name(r.name());
            case STRING -> value(r.string());
            case NUMBER_INT, NUMBER_FLOAT -> beginValue().append(r.numberText());
            case TRUE -> value(true);
            case FALSE -> value(false);
            case NULL -> nullValue();
            case END_OF_INPUT -> throw new IllegalStateException("nothing to copy at the end of input");
        }
        return 0;
    }

    private JsonWriter open(char bracket) {
        beginValue().append(bracket);
        afterValue = false;
        return this;
    }

    private JsonWriter close(char bracket) {
        out.append(bracket);
        afterValue = true;
        return this;
    }

    /** Puts the comma before a value (or name) that follows another, and counts it as written. */
    private StringBuilder beginValue() {
        if (afterValue) {
            out.append(',');
        }
        afterValue = true;
        return out;
    }

    private static StringBuilder quote(StringBuilder out, String s) {
        out.append('"');
        int plainFrom = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            out.append(s, plainFrom, i).append('\\');
            plainFrom = i + 1;
            switch (c) {
                case '"', '\\' -> out.append(c);
                case '\b' -> out.append('b');
                case '\t' -> out.append('t');
                case '\n' -> out.append('n');
                case '\f' -> out.append('f');
                case '\r' -> out.append('r');
                default -> {
                    out.append("u00");
                    appendHex(out, c, 2);
                }
            }
        }
        return out.append(s, plainFrom, s.length()).append('"');
    }

    /** The low {@code digits} hex digits of {@code value}, upper case. */
    static void appendHex(StringBuilder out, int value, int digits) {
        for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) {
            out.append(HEX.charAt((value >> shift) & 0xF));
        }
    }
}

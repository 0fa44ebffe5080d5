package io.vpccni.rpc.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.rpc.json.JsonReader.Token;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JsonTest {
    private static final int MAX_DEPTH = 4;

    static Stream<Arguments> validDocuments() {
        return Stream.of(
                valid("empty object", "{}", obj()),
                valid("empty array", "[]", arr()),
                valid("nested empties", "[[],{},[[{}]],{\"a\":[]}]",
                        arr(arr(), obj(), arr(arr(obj())), obj("a", arr()))),
                valid("whitespace everywhere", " \t\n\r{ \"a\" : [ 1 , 2 ] ,\n\"b\" : { } }\r\n",
                        obj("a", arr(1L, 2L), "b", obj())),
                valid("every scalar", "[\"s\",0,-1,1.5,true,false,null]",
                        arr("s", 0L, -1L, 1.5, true, false, null)),
                valid("scalar root", "\"alone\"", "alone"),
                valid("null root", "null", null),
                valid("short escapes", "\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"",
                        "\" \\ / \b \f \n \r \t"),
                valid("unicode escapes in both cases", "\"\\u00e9\\u00E9\\u0041\"", "\u00e9\u00e9A"),
                valid("escaped control characters", "\"\\u0000\\u001f\\u007F\"", "\u0000\u001f\u007f"),
                valid("raw non-ASCII", "{\"ключ\":\"значение, é, \u2028\"}",
                        obj("ключ", "значение, é, \u2028")),
                valid("escaped surrogate pair", "\"\\uD83D\\uDE00\"", "\uD83D\uDE00"),
                valid("raw surrogate pair", "\"x\uD83D\uDE00y\"", "x\uD83D\uDE00y"),
                valid("int boundaries", "[2147483647,-2147483648,2147483648,-2147483649]",
                        arr(2147483647L, -2147483648L, 2147483648L, -2147483649L)),
                valid("long boundaries", "[9223372036854775807,-9223372036854775808]",
                        arr(Long.MAX_VALUE, Long.MIN_VALUE)),
                valid("negative zero", "[-0,-0.0,0.0,-0e0]", arr(0L, -0.0, 0.0, -0.0)),
                valid("exponents", "[1e3,1E+3,1e-3,-1.5E-2,0e0,2.5e+0]",
                        arr(1000.0, 1000.0, 0.001, -0.015, 0.0, 2.5)),
                valid("same name in sibling and nested objects", "[{\"a\":1},{\"a\":{\"a\":2}}]",
                        arr(obj("a", 1L), obj("a", obj("a", 2L)))),
                valid("as deep as allowed", "[[[{\"a\":1}]]]", arr(arr(arr(obj("a", 1L))))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validDocuments")
    void validDocumentIsReadAndSurvivesARoundTrip(String name, String json, Object expected)
            throws JsonException {
        assertThat(parse(json)).isEqualTo(expected);
        String written = copy(json);
        assertThat(parse(written)).isEqualTo(expected);
        assertThat(copy(written)).isEqualTo(written);
    }

    static Stream<Arguments> invalidDocuments() {
        return Stream.of(
                truncated("open object", "{", "input ends where a field name was expected"),
                truncated("after a name", "{\"a\"", "input ends where ':' was expected"),
                truncated("after a colon", "{\"a\":", "input ends where a value was expected"),
                truncated("after a member", "{\"a\":1", "input ends where ',' or '}' was expected"),
                truncated("open array", "[", "input ends where a value was expected"),
                truncated("after a comma", "[1,", "input ends where a value was expected"),
                truncated("inside a string", "{\"a\":\"abc", "input ends inside a string"),
                truncated("inside a name", "{\"ab", "input ends inside a string"),
                truncated("after a backslash", "\"a\\", "input ends inside an escape"),
                truncated("inside a unicode escape", "\"\\u00", "input ends inside an escape"),
                truncated("after a high surrogate", "\"\\uD83D", "input ends inside a string"),
                truncated("inside a literal", "[tru", "input ends where 'true' was expected"),
                truncated("after a minus", "-", "input ends where a digit was expected"),
                truncated("after a decimal point", "1.", "input ends where a digit was expected"),
                truncated("after an exponent sign", "1e+", "input ends where a digit was expected"),
                malformed("trailing comma in an object", "{\"a\":1,}", "trailing comma before '}'"),
                malformed("trailing comma in an array", "[1,]", "trailing comma before ']'"),
                malformed("leading comma", "[,1]", "unexpected ',' where a value was expected"),
                malformed("empty member", "{,}", "unexpected ',' where a field name was expected"),
                malformed("leading zero", "01", "leading zero in a number"),
                malformed("negative leading zero", "[-012]", "leading zero in a number"),
                malformed("plus sign", "+1", "unexpected '+' where a value was expected"),
                malformed("bare fraction", ".5", "unexpected '.' where a value was expected"),
                malformed("fraction without digits", "1.e3", "unexpected 'e' where a digit was expected"),
                malformed("NaN", "[NaN]", "unexpected 'N' where a value was expected"),
                malformed("Infinity", "-Infinity", "unexpected 'I' where a digit was expected"),
                malformed("misspelt literal", "nul!", "unexpected '!' where 'null' was expected"),
                malformed("capital literal", "True", "unexpected 'T' where a value was expected"),
                malformed("bad escape", "\"\\x\"", "invalid escape: backslash followed by 'x'"),
                malformed("capital u escape", "\"\\U0041\"", "invalid escape: backslash followed by 'U'"),
                malformed("bad hex digit", "\"\\u12G4\"", "invalid \\u escape: 'G' is not a hex digit"),
                malformed("lone high surrogate", "\"\\uD800\"", "lone surrogate U+D800 in a string"),
                malformed("lone low surrogate", "\"\\uDC00\"", "lone surrogate U+DC00 in a string"),
                malformed("high surrogate then a letter", "\"\\uD800\\u0041\"",
                        "lone surrogate U+D800 in a string"),
                malformed("two high surrogates", "\"\\uD800\\uD800\"", "lone surrogate U+D800"),
                malformed("reversed pair", "\"\\uDE00\\uD83D\"", "lone surrogate U+DE00"),
                malformed("raw lone surrogate", "\"a\uD800b\"", "lone surrogate U+D800 in a string"),
                malformed("raw newline in a string", "\"a\nb\"",
                        "unescaped control character U+000A in a string"),
                malformed("raw tab in a string", "\"a\tb\"", "unescaped control character U+0009"),
                malformed("raw NUL in a name", "{\"\u0000\":1}", "unescaped control character U+0000"),
                malformed("duplicate name", "{\"a\":1,\"b\":2,\"a\":3}", "duplicate field 'a'"),
                malformed("duplicate name in a nested object", "[{\"x\":{\"a\":1,\"a\":1}}]",
                        "duplicate field 'a'"),
                malformed("too deep", "[[[[[1]]]]]", "value nests deeper than 4 levels"),
                malformed("trailing garbage", "{} x", "trailing data after the JSON value"),
                malformed("second value", "{}{}", "trailing data after the JSON value"),
                malformed("two scalars", "1 2", "trailing data after the JSON value"),
                malformed("trailing comment", "{} // c", "trailing data after the JSON value"),
                malformed("leading comment", "/* c */ {}", "unexpected '/' where a value was expected"),
                malformed("single-quoted name", "{'a':1}", "unexpected \"'\" where a field name was expected"),
                malformed("single-quoted string", "['a']", "unexpected \"'\" where a value was expected"),
                malformed("unquoted name", "{a:1}", "unexpected 'a' where a field name was expected"),
                malformed("missing colon", "{\"a\" 1}", "unexpected '1' where ':' was expected"),
                malformed("missing comma", "[1 2]", "unexpected '2' where ',' or ']' was expected"),
                malformed("mismatched close", "{\"a\":1]", "unexpected ']' where ',' or '}' was expected"),
                malformed("close without open", "]", "unexpected ']' where a value was expected"),
                malformed("not JSON", "hello", "unexpected 'h' where a value was expected"),
                malformed("NUL byte", "\u0000", "unexpected U+0000 where a value was expected"),
                malformed("byte order mark", "\uFEFF{}", "unexpected U+FEFF where a value was expected"),
                malformed("replacement character", "\uFFFD", "unexpected U+FFFD where a value was expected"),
                malformed("long overflow", "[9223372036854775808]",
                        "integer out of range: 9223372036854775808"),
                malformed("negative long overflow", "-9223372036854775809",
                        "integer out of range: -9223372036854775809"),
                malformed("huge integer", "{\"a\":123456789012345678901234567890}",
                        "integer out of range: 123456789012345678901234567890"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidDocuments")
    void invalidDocumentIsRejectedSayingWhatAndWhere(String name, String json, boolean truncated,
            String problem) {
        assertThatThrownBy(() -> parse(json)).isInstanceOfSatisfying(JsonException.class, e -> {
            assertThat(e.truncated()).as(e.getMessage()).isEqualTo(truncated);
            assertThat(e.getMessage()).contains(problem).containsPattern(" at line 1, column \\d+$");
        });
    }

    @Test
    void errorsPointAtLineAndColumn() {
        assertThatThrownBy(() -> parse("{\n  \"a\": 1,\n    \"b\" 2\n}"))
                .hasMessage("unexpected '2' where ':' was expected at line 3, column 9");
        assertThatThrownBy(() -> parse("[1,\n2,\n"))
                .hasMessage("input ends where a value was expected at line 3, column 1");
        assertThatThrownBy(() -> parse("\"\\uD800x\""))
                .hasMessage("lone surrogate U+D800 in a string at line 1, column 2");
    }

    @Test
    void emptyInputHasNoValueRatherThanAnError() throws JsonException {
        for (String empty : List.of("", " \n\t\r ")) {
            var r = new JsonReader(empty, MAX_DEPTH);
            assertThat(r.next()).isEqualTo(Token.END_OF_INPUT);
            assertThat(r.next()).isEqualTo(Token.END_OF_INPUT);
            assertThat(r.inRoot()).isTrue();
        }
    }

    @Test
    void tokensOfADocumentInOrder() throws JsonException {
        var r = new JsonReader("{\"a\":[1,2.5,\"s\"],\"b\":{\"c\":null},\"d\":true,\"e\":false}", MAX_DEPTH);
        List<Token> tokens = new ArrayList<>();
        for (Token t = r.next(); t != Token.END_OF_INPUT; t = r.next()) {
            tokens.add(t);
        }
        assertThat(tokens).containsExactly(Token.START_OBJECT, Token.FIELD_NAME, Token.START_ARRAY,
                Token.NUMBER_INT, Token.NUMBER_FLOAT, Token.STRING, Token.END_ARRAY, Token.FIELD_NAME,
                Token.START_OBJECT, Token.FIELD_NAME, Token.NULL, Token.END_OBJECT, Token.FIELD_NAME,
                Token.TRUE, Token.FIELD_NAME, Token.FALSE, Token.END_OBJECT);
    }

    @Test
    void integersAreClassifiedIntOrLong() throws JsonException {
        assertThat(number("2147483647").isInt()).isTrue();
        assertThat(number("-2147483648").intValue()).isEqualTo(Integer.MIN_VALUE);
        JsonReader beyondInt = number("2147483648");
        assertThat(beyondInt.isInt()).isFalse();
        assertThat(beyondInt.longValue()).isEqualTo(2147483648L);
        assertThatThrownBy(beyondInt::intValue).isInstanceOf(JsonException.class)
                .hasMessageStartingWith("integer out of range: 2147483648");
        JsonReader beyondLong = number("-9223372036854775809");
        assertThat(beyondLong.isInt()).isFalse();
        assertThat(beyondLong.doubleValue()).isEqualTo(-9.223372036854775809e18);
        assertThat(number("7").doubleValue()).isEqualTo(7.0);
    }

    @Test
    void aHugeIntegerNobodyReadsIsSkipped() throws JsonException {
        var r = new JsonReader("{\"big\":[123456789012345678901234567890],\"a\":1}", MAX_DEPTH);
        r.next();
        assertThat(r.next()).isEqualTo(Token.FIELD_NAME);
        r.next();
        r.skipChildren();
        assertThat(r.token()).isEqualTo(Token.END_ARRAY);
        assertThat(r.next()).isEqualTo(Token.FIELD_NAME);
        assertThat(r.name()).isEqualTo("a");
    }

    @Test
    void skipChildrenMovesToTheMatchingEndAndLeavesScalarsAlone() throws JsonException {
        var r = new JsonReader("[{\"a\":[{},[]],\"b\":2},3]", MAX_DEPTH);
        r.next();
        assertThat(r.next()).isEqualTo(Token.START_OBJECT);
        r.skipChildren();
        assertThat(r.token()).isEqualTo(Token.END_OBJECT);
        assertThat(r.next()).isEqualTo(Token.NUMBER_INT);
        r.skipChildren();
        assertThat(r.longValue()).isEqualTo(3);
        assertThat(r.next()).isEqualTo(Token.END_ARRAY);
        assertThat(r.next()).isEqualTo(Token.END_OF_INPUT);
    }

    @Test
    void inRootOnlyOutsideEveryContainer() throws JsonException {
        var r = new JsonReader("{\"a\":[1]}", MAX_DEPTH);
        assertThat(r.inRoot()).isTrue();
        List<Boolean> inRoot = new ArrayList<>();
        while (r.next() != Token.END_OF_INPUT) {
            inRoot.add(r.inRoot());
        }
        // {, "a", [, 1, ], }
        assertThat(inRoot).containsExactly(false, false, false, false, false, true);
    }

    @Test
    void writerEscapesAsJacksonDid() {
        var out = new StringBuilder();
        new JsonWriter(out).value("\" \\ / \b \f \n \r \t \u0000 \u001f \u007f é \u2028 \uD83D\uDE00");
        assertThat(out).hasToString(
                "\"\\\" \\\\ / \\b \\f \\n \\r \\t \\u0000 \\u001F \u007f é \u2028 \uD83D\uDE00\"");
    }

    @Test
    void writerPlacesCommasBetweenMembersAndElements() {
        var out = new StringBuilder();
        new JsonWriter(out).startObject()
                .field("s", "x").field("n", -7).field("long", Long.MIN_VALUE).field("b", false)
                .name("list").startArray().value("a").value(1).value(true).nullValue()
                .startObject().endObject().startArray().endArray().endArray()
                .name("o").startObject().field("k", "v").endObject()
                .endObject();
        assertThat(out).hasToString("{\"s\":\"x\",\"n\":-7,\"long\":-9223372036854775808,\"b\":false,"
                + "\"list\":[\"a\",1,true,null,{},[]],\"o\":{\"k\":\"v\"}}");
    }

    @Test
    void copyKeepsNumbersAsWrittenAndNormalisesTheRest() throws JsonException {
        assertThat(copy(" { \"a\" : [ 1.50 , 1E3 , -0 , \"\\u0041\\/\" ] , \"b\" : null } "))
                .isEqualTo("{\"a\":[1.50,1E3,-0,\"A/\"],\"b\":null}");
    }

    @Test
    void copyOfAFieldTakesItsNameAndStopsAtItsValue() throws JsonException {
        var r = new JsonReader("{\"skip\":1,\"keep\":{\"a\":[1,{}]},\"next\":2}", MAX_DEPTH);
        r.next();
        r.next();
        r.next();
        assertThat(r.next()).isEqualTo(Token.FIELD_NAME);
        var out = new StringBuilder();
        new JsonWriter(out).startObject().copy(r).endObject();
        assertThat(out).hasToString("{\"keep\":{\"a\":[1,{}]}}");
        assertThat(r.token()).isEqualTo(Token.END_OBJECT);
        assertThat(r.next()).isEqualTo(Token.FIELD_NAME);
        assertThat(r.name()).isEqualTo("next");
    }

    /** The whole input as one value: maps, lists, strings, longs, doubles, booleans and null. */
    private static Object parse(String json) throws JsonException {
        var r = new JsonReader(json, MAX_DEPTH);
        r.next();
        Object value = tree(r);
        assertThat(r.next()).isEqualTo(Token.END_OF_INPUT);
        return value;
    }

    private static Object tree(JsonReader r) throws JsonException {
        return switch (r.token()) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (r.next() != Token.END_OBJECT) {
                    String name = r.name();
                    r.next();
                    m.put(name, tree(r));
                }
                yield m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (r.next() != Token.END_ARRAY) {
                    l.add(tree(r));
                }
                yield l;
            }
            case STRING -> r.string();
            case NUMBER_INT -> r.longValue();
            case NUMBER_FLOAT -> r.doubleValue();
            case TRUE -> true;
            case FALSE -> false;
            case NULL -> null;
            case END_OBJECT, END_ARRAY, FIELD_NAME, END_OF_INPUT ->
                    throw new AssertionError("not at a value: " + r.token());
        };
    }

    /** The input's value as the writer copies it. */
    private static String copy(String json) throws JsonException {
        var r = new JsonReader(json, MAX_DEPTH);
        r.next();
        var out = new StringBuilder();
        new JsonWriter(out).copy(r);
        assertThat(r.next()).isEqualTo(Token.END_OF_INPUT);
        return out.toString();
    }

    private static JsonReader number(String json) throws JsonException {
        var r = new JsonReader(json, MAX_DEPTH);
        r.next();
        return r;
    }

    private static Map<String, Object> obj(Object... namesAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            m.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return m;
    }

    private static List<Object> arr(Object... values) {
        return Arrays.asList(values);
    }

    private static Arguments valid(String name, String json, Object expected) {
        return Arguments.of(name, json, expected);
    }

    private static Arguments truncated(String name, String json, String problem) {
        return Arguments.of(name, json, true, problem);
    }

    private static Arguments malformed(String name, String json, String problem) {
        return Arguments.of(name, json, false, problem);
    }
}

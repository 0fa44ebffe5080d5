package io.vpccni.rpc.codec;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Typed access to a decoded JSON object; every failure names the message and the field. */
final class Fields {
    private final String context;
    private final Map<String, Object> map;


    Fields(String context, Map<String, Object> map) {
        this.context = context;
        this.map = map;
    }

    Map<String, Object> map() {
        return map;
    }

    String string(String name) throws ProtocolException {
        return as(name, required(name), String.class, "a string");
    }

    Optional<String> optionalString(String name) throws ProtocolException {
        Object v = map.get(name);
        return v == null || v == JsonTree.NULL
                ? Optional.empty()
                : Optional.of(as(name, v, String.class, "a string"));
    }

    int integer(String name) throws ProtocolException {
        long v = as(name, required(name), Long.class, "an integer");
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new ProtocolException(where(name) + " is out of range: " + v);
        }
        return (int) v;
    }

    long longValue(String name) throws ProtocolException {
        return as(name, required(name), Long.class, "an integer");
    }

    boolean bool(String name) throws ProtocolException {
        return as(name, required(name), Boolean.class, "a boolean");
    }

    List<Fields> objects(String name) throws ProtocolException {
        List<?> list = as(name, required(name), List.class, "an array");
        var out = new java.util.ArrayList<Fields>(list.size());
        for (int i = 0; i < list.size(); i++) {
            out.add(object(name + "[" + i + "]", list.get(i)));
        }
        return out;
    }

    Optional<Fields> optionalObject(String name) throws ProtocolException {
        Object v = map.get(name);
        return v == null || v == JsonTree.NULL ? Optional.empty() : Optional.of(object(name, v));
    }

    private Fields object(String name, Object v) throws ProtocolException {
        if (!(v instanceof Map<?, ?> m)) {
            throw new ProtocolException(where(name) + " must be an object, got " + kind(v));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> typed = (Map<String, Object>) m;
        return new Fields(context + "." + name, typed);
    }

    private Object required(String name) throws ProtocolException {
        Object v = map.get(name);
        if (v == null || v == JsonTree.NULL) {
            throw new ProtocolException(where(name) + " is missing");
        }
        return v;
    }

    private <T> T as(String name, Object v, Class<T> type, String expected)
            throws ProtocolException {
        if (!type.isInstance(v)) {
            throw new ProtocolException(
                    where(name) + " must be " + expected + ", got " + kind(v));
        }
        return type.cast(v);
    }

    private String where(String name) {
        return "field '" + name + "' of " + context;
    }

    static String kind(Object v) {
        return switch (v) {
            case String s -> "a string";
            case Long l -> "an integer";
            case Double d -> "a fractional number";
            case Boolean b -> "a boolean";
            case List<?> l -> "an array";
            case Map<?, ?> m -> "an object";
            default -> "null";
        };
    }
}

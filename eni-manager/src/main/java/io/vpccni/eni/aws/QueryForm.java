package io.vpccni.eni.aws;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One EC2 Query request's parameters in the order they are added, and their form encoding: {@code Action} and
 * {@code Version} first, then the operation's members with EC2's flattened list names ({@code PrivateIpAddress.1},
 * {@code Filter.1.Value.1}, {@code TagSpecification.1.Tag.1.Key}). Pure.
 */
final class QueryForm {

    /** The EC2 API version every request names; the one the AWS SDK v2 speaks. */
    static final String API_VERSION = "2016-11-15";

    private final String action;
    private final List<Map.Entry<String, String>> params = new ArrayList<>();

    QueryForm(String action) {
        if (action.isBlank()) {
            throw new IllegalArgumentException("an EC2 request needs an Action");
        }
        this.action = action;
    }

    String action() {
        return action;
    }

    QueryForm add(String name, String value) {
        if (value != null) {
            params.add(Map.entry(name, value));
        }
        return this;
    }

    QueryForm add(String name, int value) {
        return add(name, Integer.toString(value));
    }

    QueryForm add(String name, boolean value) {
        return add(name, Boolean.toString(value));
    }

    /** {@code name.1=a&name.2=b}; nothing for an empty list (EC2 reads an absent list as empty). */
    QueryForm addList(String name, List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            add(name + "." + (i + 1), values.get(i));
        }
        return this;
    }

    /** {@code prefix.N.Key} and {@code prefix.N.Value}, by key: a request's body does not depend on map order. */
    QueryForm addTags(String prefix, Map<String, String> tags) {
        int n = 1;
        for (var tag : new TreeMap<>(tags).entrySet()) {
            add(prefix + "." + n + ".Key", tag.getKey());
            add(prefix + "." + n + ".Value", tag.getValue());
            n++;
        }
        return this;
    }

    /** {@code Filter.N.Name} and {@code Filter.N.Value.1}, one value per filter as the node's queries have. */
    QueryForm addFilters(List<Map.Entry<String, String>> filters) {
        for (int i = 0; i < filters.size(); i++) {
            add("Filter." + (i + 1) + ".Name", filters.get(i).getKey());
            add("Filter." + (i + 1) + ".Value.1", filters.get(i).getValue());
        }
        return this;
    }

    /** The body of the POST: application/x-www-form-urlencoded, percent-encoded as SigV4 encodes (RFC 3986). */
    String encode() {
        var body = new StringBuilder("Action=").append(encode(action)).append("&Version=").append(API_VERSION);
        for (var param : params) {
            body.append('&').append(encode(param.getKey())).append('=').append(encode(param.getValue()));
        }
        return body.toString();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8)
                .replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
    }

    @Override
    public String toString() {
        return encode();
    }
}

package io.vpccni.policy.endpoint;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The labels our controller puts on the PolicyEndpoints it writes, so that a node's agent can watch only the objects
 * naming pods of its node ({@code vpc-cni.io/node-name=<node>}) and the controller can tell its objects from those
 * of another controller (EKS's writes none of these labels).
 *
 * <p>A label value holds at most 63 characters and a node or policy name up to 253: a longer name is written as its
 * first 52 characters, a dash and 10 hex digits of its SHA-256 ({@link #value}); the agent computes its node's value
 * with the same function.
 */
public final class PolicyEndpointLabels {

    /** The node whose pods the object lists in podSelectorEndpoints. */
    public static final String NODE_NAME = "vpc-cni.io/node-name";
    /** The NetworkPolicy (in the object's own namespace) the object was resolved from. */
    public static final String POLICY_NAME = "vpc-cni.io/policy-name";

    static final int MAX_VALUE = 63;
    static final int HASH_CHARACTERS = 10;

    private PolicyEndpointLabels() {}

    /** {@code name} as a label value: itself when it fits, else a prefix and a hash (unique in practice). */
    public static String value(String name) {
        if (name.length() <= MAX_VALUE) {
            return name;
        }
        String prefix = name.substring(0, MAX_VALUE - HASH_CHARACTERS - 1).replaceAll("[^A-Za-z0-9]+$", "");
        return prefix + "-" + hash(name, HASH_CHARACTERS);
    }

    /** The first {@code characters} hex digits of the SHA-256 of {@code text}. */
    public static String hash(String text, int characters) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, characters);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}

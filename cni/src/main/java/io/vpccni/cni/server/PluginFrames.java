package io.vpccni.cni.server;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The wire format between the plugin shim ({@code cni/src/main/c/vpc_cni_shim.c}) and the
 * {@link PluginServer}, one exchange per connection, the end of each side marked by shutting the
 * socket's output. Binary and minimal because C writes and reads it:
 * <pre>
 * request:  "vpc-cni-plugin/1\n" ("NAME=VALUE" NUL)* NUL stdin-bytes
 * reply:    "vpc-cni-plugin/1\n" "exit " STATUS " " LENGTH "\n" stdout-bytes    (LENGTH of them: a reply cut off
 *                                                                           by a dying daemon is told apart)
 *        or "vpc-cni-plugin/1\n" "unserved " REASON "\n"     (the shim runs the plugin itself)
 * </pre>
 * Only {@code CNI_*} and {@code VPC_CNI_*} variables travel: they are all the plugin reads.
 */
public final class PluginFrames {
    static final String MAGIC = "vpc-cni-plugin/1\n";
    private static final byte[] MAGIC_BYTES = MAGIC.getBytes(StandardCharsets.US_ASCII);
    /** Network configurations with a prevResult are a few KiB; this bounds a request's memory. */
    public static final int MAX_REQUEST_BYTES = 1 << 20;
    static final int MAX_VARIABLES = 64;

    private PluginFrames() {}

    /** A request as decoded. */
    public sealed interface Decoded permits Request, Malformed {}

    /** One plugin invocation: its environment and its stdin. */
    public record Request(Map<String, String> env, byte[] stdin) implements Decoded {}

    /** Not a request of ours; {@code reason} says what was wrong. */
    public record Malformed(String reason) implements Decoded {}

    public static Decoded decode(byte[] bytes) {
        if (bytes.length < MAGIC_BYTES.length
                || !Arrays.equals(bytes, 0, MAGIC_BYTES.length, MAGIC_BYTES, 0, MAGIC_BYTES.length)) {
            return new Malformed("the request does not start with \"" + MAGIC.strip() + "\\n\"");
        }
        Map<String, String> env = new LinkedHashMap<>();
        int at = MAGIC_BYTES.length;
        while (true) {
            int nul = indexOf(bytes, (byte) 0, at);
            if (nul < 0) {
                return new Malformed("the environment is not terminated by an empty entry");
            }
            if (nul == at) {
                return new Request(Map.copyOf(env), Arrays.copyOfRange(bytes, nul + 1, bytes.length));
            }
            String entry = new String(bytes, at, nul - at, StandardCharsets.UTF_8);
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                return new Malformed("environment entry without a name: \"" + printable(entry) + "\"");
            }
            String name = entry.substring(0, eq);
            if (!forwarded(name)) {
                return new Malformed("environment variable " + printable(name) + " is not one the plugin reads");
            }
            if (env.putIfAbsent(name, entry.substring(eq + 1)) != null) {
                return new Malformed("environment variable " + name + " appears twice");
            }
            if (env.size() > MAX_VARIABLES) {
                return new Malformed("more than " + MAX_VARIABLES + " environment variables");
            }
            at = nul + 1;
        }
    }

    /** The variables the shim sends: everything the plugin reads, nothing else of the runtime's. */
    public static boolean forwarded(String name) {
        return (name.startsWith("CNI_") || name.startsWith("VPC_CNI_")) && name.chars().allMatch(
                c -> c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
    }

    /** The plugin ran here: the shim prints {@code stdout} and exits with {@code status}. */
    public static byte[] served(int status, byte[] stdout) {
        byte[] head = (MAGIC + "exit " + status + " " + stdout.length + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(head, head.length + stdout.length);
        System.arraycopy(stdout, 0, out, head.length, stdout.length);
        return out;
    }

    /** The daemon cannot run this invocation (e.g. it cannot see the netns): the shim runs the plugin itself. */
    public static byte[] unserved(String reason) {
        return (MAGIC + "unserved " + reason.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}

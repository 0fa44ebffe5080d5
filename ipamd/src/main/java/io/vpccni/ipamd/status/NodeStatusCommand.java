package io.vpccni.ipamd.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code vpc-cni status [--json] [--endpoint URL]}: reads ipamd's /v1/pool and /v1/enis and prints readiness, the
 * pool's numbers, the ENIs, the subnet's free addresses and warnings (see {@link Warnings}). {@code --json} prints
 * {@code {"pool": <v1/pool>, "enis": <v1/enis>}} as served.
 *
 * <p>Endpoint: {@code --endpoint}, else INTROSPECTION_BIND_ADDRESS (host:port; an all-interfaces host means
 * loopback), else {@value #DEFAULT_ENDPOINT}.
 *
 * <p>Exit codes: 0 ready with no warnings; 1 warnings (not ready included); 2 ipamd could not be reached or gave no
 * usable answer, with a message naming the endpoint; 64 bad arguments.
 */
public final class NodeStatusCommand {

    public static final String DEFAULT_ENDPOINT = "http://127.0.0.1:61679";
    static final int OK = 0;
    static final int WARNINGS = 1;
    static final int UNREACHABLE = 2;
    static final int USAGE = 64;
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String USAGE_TEXT = """
            usage: vpc-cni status [--json] [--endpoint URL]
              --json          print ipamd's /v1/pool and /v1/enis as JSON
              --endpoint URL  ipamd's introspection endpoint (default: INTROSPECTION_BIND_ADDRESS, else %s)
            exit codes: 0 healthy, 1 warnings, 2 ipamd unreachable, 64 bad arguments""".formatted(DEFAULT_ENDPOINT);

    private NodeStatusCommand() {}

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out, System.err, System.getenv()));
    }

    public static int run(List<String> args, PrintStream out, PrintStream err, Map<String, String> env) {
        boolean json = false;
        String endpoint = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--json")) {
                json = true;
            } else if (arg.equals("--endpoint") && i + 1 < args.size()) {
                endpoint = args.get(++i);
            } else if (arg.startsWith("--endpoint=")) {
                endpoint = arg.substring("--endpoint=".length());
            } else if (arg.equals("-h") || arg.equals("--help")) {
                out.println(USAGE_TEXT);
                return OK;
            } else {
                err.println("vpc-cni status: unexpected argument '" + arg + "'");
                err.println(USAGE_TEXT);
                return USAGE;
            }
        }
        String base;
        try {
            base = endpoint != null ? stripSlash(endpoint) : fromEnvironment(env);
        } catch (IllegalArgumentException e) {
            err.println("vpc-cni status: " + e.getMessage());
            return UNREACHABLE;
        }
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build()) {
            JsonNode pool = fetch(http, base, "/v1/pool");
            JsonNode enis = fetch(http, base, "/v1/enis");
            List<Warning> warnings = Warnings.of(pool);
            if (json) {
                ObjectNode both = JSON.createObjectNode();
                both.set("pool", pool);
                both.set("enis", enis);
                out.println(JSON.writeValueAsString(both));
            } else {
                StatusPrinter.print(pool, enis, warnings, out);
            }
            return warnings.isEmpty() ? OK : WARNINGS;
        } catch (Unreachable e) {
            err.println("vpc-cni status: " + e.getMessage());
            return UNREACHABLE;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed JSON tree always serialises", e);
        }
    }

    /** The endpoint from INTROSPECTION_BIND_ADDRESS, with an all-interfaces host replaced by loopback. */
    static String fromEnvironment(Map<String, String> env) {
        String bind = env.getOrDefault("INTROSPECTION_BIND_ADDRESS", "").strip();
        if (bind.isEmpty()) {
            return DEFAULT_ENDPOINT;
        }
        if (bind.startsWith("unix:")) {
            throw new IllegalArgumentException("INTROSPECTION_BIND_ADDRESS=" + bind
                    + " is a Unix socket, which the status command cannot read; pass --endpoint http://host:port");
        }
        int colon = bind.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("INTROSPECTION_BIND_ADDRESS=" + bind + " is not host:port");
        }
        String host = bind.substring(0, colon);
        String port = bind.substring(colon + 1);
        host = switch (host) {
            case "", "0.0.0.0" -> "127.0.0.1";
            case "[::]", "::" -> "[::1]";
            default -> host;
        };
        return "http://" + host + ":" + port;
    }

    private static JsonNode fetch(HttpClient http, String base, String path) throws Unreachable {
        String url = base + path;
        HttpResponse<String> response;
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build();
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IllegalArgumentException e) {
            throw new Unreachable("'" + base + "' is not a usable URL: " + e.getMessage());
        } catch (IOException e) {
            throw new Unreachable("cannot reach ipamd at " + url + ": " + describe(e)
                    + ". Is ipamd running on this node with introspection enabled (DISABLE_INTROSPECTION unset)?"
                    + " Use --endpoint URL or INTROSPECTION_BIND_ADDRESS to point elsewhere.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted while reading " + url);
        }
        if (response.statusCode() != 200) {
            throw new Unreachable("ipamd at " + url + " answered HTTP " + response.statusCode() + ": "
                    + response.body().strip());
        }
        try {
            return JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new Unreachable("ipamd at " + url + " answered something that is not JSON: "
                    + e.getOriginalMessage());
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        return message.isBlank() ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + message;
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** Why no answer could be had; always exit code 2. */
    private static final class Unreachable extends Exception {
        Unreachable(String message) {
            super(message);
        }
    }
}

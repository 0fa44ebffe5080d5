package io.vpccni.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The init container's installer and the conflist writer, against a temporary host root. */
class InstallerTest {

    static final Path SCRIPT = Manifests.DEPLOY.resolve("image/vpc-cni-node");
    static final Path PLUGIN = Manifests.DEPLOY.resolve("../cni/target/plugin").normalize();

    @TempDir
    Path host;

    private Processes.Result node(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        return Processes.run(command, env, "");
    }

    private Path install() throws Exception {
        Processes.Result result = install(Map.of());
        assertThat(result.exit()).as(result.stderr()).isZero();
        return host.resolve("opt/cni/bin/vpc-cni");
    }

    private Processes.Result install(Map<String, String> env) throws Exception {
        return node(env, "install", "--plugin-src", PLUGIN.toString(), "--cni-bin",
                host.resolve("opt/cni/bin").toString(), "--cni-conf", host.resolve("etc/cni/net.d").toString());
    }

    /** What a node that ran aws-node has in its CNI configuration directory, plus another plugin's file. */
    private Path awsNodeConfDir() throws Exception {
        Path conf = Files.createDirectories(host.resolve("etc/cni/net.d"));
        Files.writeString(conf.resolve("10-aws.conflist"), "{\"cniVersion\":\"0.4.0\",\"name\":\"aws-cni\"}\n");
        Files.writeString(conf.resolve("05-other.conf"), "{}\n");
        return conf;
    }

    private static List<String> names(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void toldToTheInstallerMovesAwsNodesConflistAsideAndNothingElse() throws Exception {
        Path conf = awsNodeConfDir();

        Processes.Result result = install(Map.of("VPC_CNI_MOVE_AWS_CONFLIST", "true"));

        assertThat(result.exit()).as(result.stderr()).isZero();
        assertThat(names(conf)).containsExactly("05-other.conf", "10-aws.conflist.moved-by-vpc-cni");
        assertThat(conf.resolve("10-aws.conflist.moved-by-vpc-cni")).hasContent("{\"cniVersion\":\"0.4.0\",\"name\":\"aws-cni\"}");
        assertThat(result.stderr()).contains("moved aws-node's " + conf.resolve("10-aws.conflist") + " aside");
        assertThat(version(host.resolve("opt/cni/bin/vpc-cni")).exit()).isZero();
        // A second run (the init container restarts) finds nothing more to move.
        Processes.Result again = install(Map.of("VPC_CNI_MOVE_AWS_CONFLIST", "true"));
        assertThat(again.exit()).as(again.stderr()).isZero();
        assertThat(names(conf)).containsExactly("05-other.conf", "10-aws.conflist.moved-by-vpc-cni");
    }

    @Test
    void byDefaultAwsNodesConflistStays() throws Exception {
        Path conf = awsNodeConfDir();

        assertThat(install(Map.of()).exit()).isZero();
        assertThat(install(Map.of("VPC_CNI_MOVE_AWS_CONFLIST", "false")).exit()).isZero();

        assertThat(names(conf)).containsExactly("05-other.conf", "10-aws.conflist");
    }

    @Test
    void aValueOtherThanTrueOrFalseStopsTheInstallBeforeItChangesAnything() throws Exception {
        Path conf = awsNodeConfDir();

        Processes.Result result = install(Map.of("VPC_CNI_MOVE_AWS_CONFLIST", "yes"));

        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.stderr()).contains("VPC_CNI_MOVE_AWS_CONFLIST='yes' is not true or false");
        assertThat(names(conf)).containsExactly("05-other.conf", "10-aws.conflist");
        assertThat(host.resolve("opt/cni/bin")).doesNotExist();
    }

    /** A VERSION through the installed entry point; no plugin server (nothing listens beside this socket path). */
    private Processes.Result version(Path plugin) throws Exception {
        return Processes.run(List.of(plugin.toString()), Map.of("CNI_COMMAND", "VERSION", "VPC_CNI_SOCKET",
                host.resolve("run/vpc-cni/ipamd.sock").toString()), "");
    }

    @Test
    void installedPluginAnswersVersionFromTheHostRoot() throws Exception {
        Path plugin = install();

        Processes.Result result = version(plugin);
        assertThat(result.exit()).as(result.stderr()).isZero();
        assertThat(result.stdout()).contains("\"supportedVersions\"").contains("1.1.0");
        Path release = Files.list(host.resolve("opt/cni/bin/vpc-cni.d")).findFirst().orElseThrow();
        // A relative link to the release's shim: valid on the host, where /opt/cni/bin is mounted elsewhere.
        assertThat(Files.isSymbolicLink(plugin)).isTrue();
        assertThat(Files.readSymbolicLink(plugin).toString())
                .isEqualTo("vpc-cni.d/" + release.getFileName() + "/bin/vpc-cni");
        assertThat(Files.getLastModifiedTime(release.resolve("vpc-cni.aot")))
                .as("mtimes kept, or the JVM refuses the AOT cache")
                .isEqualTo(Files.getLastModifiedTime(PLUGIN.resolve("vpc-cni.aot")));
    }

    @Test
    void reinstallingWhilePluginsRunLeavesEveryRunWorking() throws Exception {
        Path plugin = install();
        AtomicBoolean installing = new AtomicBoolean(true);
        try (var runs = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<List<Processes.Result>> during = runs.submit(() -> {
                List<Processes.Result> results = new ArrayList<>();
                while (installing.get() || results.isEmpty()) {
                    results.add(version(plugin));
                }
                return results;
            });
            try {
                install();
                install();
            } finally {
                installing.set(false);
            }
            assertThat(during.get()).allSatisfy(r -> assertThat(r.exit()).as(r.stderr() + r.stdout()).isZero());
        }
        assertThat(version(plugin).exit()).isZero();
        assertThat(Files.list(host.resolve("opt/cni/bin/vpc-cni.d")).toList()).as("current and previous release")
                .hasSize(2);
    }

    @Test
    void conflistIsWrittenOnlyOnceIpamdIsReadyWithPortmapAndOptionalBandwidth() throws Exception {
        AtomicBoolean ready = new AtomicBoolean(false);
        HttpServer ipamd = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        ipamd.createContext("/readyz", exchange -> {
            exchange.sendResponseHeaders(ready.get() ? 200 : 503, -1);
            exchange.close();
        });
        ipamd.start();
        Path conf = host.resolve("etc/cni/net.d");
        String url = "http://127.0.0.1:" + ipamd.getAddress().getPort() + "/readyz";
        try (var background = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Processes.Result> writer = background.submit(() -> node(Map.of("POD_MTU", "1500"), "conflist",
                    "--cni-conf", conf.toString(), "--ready-url", url, "--timeout", "30"));
            Thread.sleep(1500); // the writer polls once a second; it must still be waiting
            assertThat(conf.resolve("10-vpc-cni.conflist")).doesNotExist();
            ready.set(true);
            assertThat(writer.get().exit()).as(writer.get().stderr()).isZero();
        } finally {
            ipamd.stop(0);
        }
        String conflist = Files.readString(conf.resolve("10-vpc-cni.conflist"));
        assertThat(conflist).contains("\"type\": \"vpc-cni\"").contains("\"type\": \"portmap\"")
                .contains("\"mtu\": \"1500\"").doesNotContain("bandwidth");
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(conflist).get("plugins").size()).isEqualTo(2);

        ready.set(true);
        HttpServer again = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        again.createContext("/readyz", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        again.start();
        try {
            Processes.Result withBandwidth = node(Map.of(), "conflist", "--cni-conf", conf.toString(), "--ready-url",
                    "http://127.0.0.1:" + again.getAddress().getPort() + "/readyz", "--bandwidth");
            assertThat(withBandwidth.exit()).as(withBandwidth.stderr()).isZero();
        } finally {
            again.stop(0);
        }
        var plugins = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Files.readString(conf.resolve("10-vpc-cni.conflist"))).get("plugins");
        assertThat(plugins.get(2).get("type").asText()).isEqualTo("bandwidth");
        try (var left = Files.list(conf)) {
            assertThat(left.map(p -> p.getFileName().toString()).toList()).as("no temporary file left")
                    .containsExactly("10-vpc-cni.conflist");
        }
    }
}
